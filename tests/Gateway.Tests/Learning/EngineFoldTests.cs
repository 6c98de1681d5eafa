using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Learning;
using Router.Core.State;
using Router.Gateway.Learning;

namespace Gateway.Tests.Learning;

public sealed class EngineFoldTests
{
    [Fact]
    public void Apply_SameEntriesOnTwoFolds_BitIdenticalSnapshots()
    {
        var (a, stateA) = NewFold();
        var (b, _) = NewFold();
        foreach (var entry in Entries(40))
        {
            a.Apply(entry);
            b.Apply(entry);
        }

        Assert.Equal(a.Serialize().ToArray(), b.Serialize().ToArray());
        Assert.Equal(28, stateA.Stats.FeedbackApplied); // entries 2..39: every i % 4 != 2
        Assert.Equal(10, stateA.Stats.UsageApplied);
        Assert.Equal(0, stateA.Stats.Rejected);
    }

    [Fact]
    public void Restore_FromSnapshotThenRest_EqualsFullReplay()
    {
        var entries = Entries(40);
        var (full, _) = NewFold();
        foreach (var entry in entries)
        {
            full.Apply(entry);
        }

        var (first, _) = NewFold();
        foreach (var entry in entries.Take(25))
        {
            first.Apply(entry);
        }

        var (restored, restoredState) = NewFold();
        restored.Restore(new StateSnapshot(first.Serialize(), entries[24].Id, DateTimeOffset.UnixEpoch));
        foreach (var entry in entries.Skip(25))
        {
            restored.Apply(entry);
        }

        Assert.Equal(full.Serialize().ToArray(), restored.Serialize().ToArray());
        Assert.Equal(40, restoredState.Stats.EntriesApplied);
    }

    [Fact]
    public void Apply_BadPayloadOrWrongEmbeddingSize_CountedAsRejectedStateUnchanged()
    {
        var (fold, state) = NewFold();
        fold.Apply(Entry(1, LearningKinds.ArmAdded, new ArmAdded { Arm = "a", InputPricePerMillion = 1, OutputPricePerMillion = 2 }));
        var before = state.EngineHash;

        fold.Apply(new LogEntry(new LogId(2, 0), "feedback-score", "k2", Encoding.UTF8.GetBytes("{not json")));
        fold.Apply(Entry(3, LearningKinds.FeedbackScore, new RefinedFeedback { Arm = "a", Embedding = new float[3], Score = 1 }));

        Assert.Equal(before, state.EngineHash);
        Assert.Equal(2, state.Stats.Rejected);
        Assert.Equal(3, state.Stats.EntriesApplied);
    }

    [Fact]
    public void Restore_Null_ReturnsToInitialCheckpoint()
    {
        var (fold, state) = NewFold();
        var initial = state.EngineHash;
        foreach (var entry in Entries(10))
        {
            fold.Apply(entry);
        }

        Assert.NotEqual(initial, state.EngineHash);
        fold.Restore(null);

        Assert.Equal(initial, state.EngineHash);
        Assert.Equal(0, state.Stats.EntriesApplied);
    }

    private static (EngineFold Fold, LearnedState State) NewFold()
    {
        var encoder = new FakeEncoder();
        var engine = MixLlmEngine.CreateDefault(encoder.ModelId, encoder.Dimension, 16);
        var state = new LearnedState(engine, encoder);
        return (new EngineFold(state, TimeProvider.System, NullLogger<EngineFold>.Instance), state);
    }

    private static List<LogEntry> Entries(int count)
    {
        var random = new Random(7);
        var entries = new List<LogEntry>
        {
            Entry(0, LearningKinds.ArmAdded, new ArmAdded { Arm = "cheap", InputPricePerMillion = 0.1, OutputPricePerMillion = 0.2 }),
            Entry(0, LearningKinds.ArmAdded, new ArmAdded { Arm = "dear", InputPricePerMillion = 5, OutputPricePerMillion = 15 }),
        };
        for (var i = entries.Count; i < count; i++)
        {
            var embedding = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var arm = i % 2 == 0 ? "cheap" : "dear";
            LearningEvent e = (i % 4) switch
            {
                0 => new RefinedFeedback { Arm = arm, Embedding = embedding, Score = random.NextDouble() },
                1 => new BinaryFeedback { Arm = arm, Embedding = embedding, Up = random.Next(2) == 0, Propensity = 0.5, Candidates = ["cheap", "dear"] },
                2 => new UsageObserved { Arm = arm, Embedding = embedding, PromptTokens = 10, CompletionTokens = 20 + i, TimeToFirstTokenSeconds = 0.1, DurationSeconds = 0.5, At = DateTimeOffset.UnixEpoch.AddSeconds(i) },
                _ => new RefinedFeedback { Arm = arm, Embedding = embedding, Score = 0.5 },
            };
            entries.Add(Entry(i, e is UsageObserved ? LearningKinds.Usage : LearningKinds.FeedbackScore, e, e is UsageObserved ? 0.001 * i : 0));
        }

        // Ids in order; the two arm announcements share millisecond 0.
        return [.. entries.Select((e, i) => e with { Id = new LogId((ulong)i + 1, 0) })];
    }

    private static LogEntry Entry(int i, string kind, LearningEvent e, double cost = 0) =>
        new(new LogId((ulong)i + 1, 0), kind, kind + ":" + i, new LoggedEvent(e, cost).Serialize());

    private sealed class FakeEncoder : ITextEncoder
    {
        public string ModelId => "fake-encoder";

        public int Dimension => 32;

        public void Encode(IReadOnlyList<string> texts, Span<float> output, CancellationToken cancellationToken) => output.Clear();

        public void Dispose()
        {
        }
    }
}
