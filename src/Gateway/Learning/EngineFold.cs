using System.Text.Json;
using Router.Core.Budget;
using Router.Core.Decision;
using Router.Core.Learning;
using Router.Core.Personalisation;
using Router.Core.State;
using Router.Gateway.Budget;

namespace Router.Gateway.Learning;

/// <summary>
/// <see cref="ILearningStateFold"/> over the MixLLM engine: <see cref="LearningStateFollower"/> drives it from the
/// shared log, one entry at a time, on every replica. <see cref="Apply"/> deserialises the engine's event and calls
/// <see cref="MixLlmEngine.Apply"/> (a pure, deterministic update), then updates the counters; nothing else writes the
/// engine, so replicas that folded the same entries hold bit-identical state.
/// </summary>
/// <remarks>
/// Snapshot bytes: <c>{"format":"router-gateway-state","version":1,"engine":"&lt;base64 checkpoint&gt;","stats":{…},
/// "personal":"&lt;base64 personal-preferences JSON&gt;"}</c>. A bare engine checkpoint is accepted by <see cref="Restore"/> too.
/// Feedback that names a user also updates <see cref="LearnedState.Personal"/> with the residual score − p̂ (the shared
/// prediction for the served arm before the feedback's own update), and <see cref="UserForgotten"/> drops a user.
/// </remarks>
public sealed partial class EngineFold(LearnedState state, TimeProvider time, ILogger<EngineFold> logger, BudgetAutopilot? autopilot = null) : ILearningStateFold
{
    private const string FormatName = "router-gateway-state";
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public void Restore(StateSnapshot? snapshot)
    {
        lock (state.FoldLock)
        {
            RestoreCore(snapshot);
        }
    }

    /// <inheritdoc />
    public void Apply(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (state.FoldLock)
        {
            ApplyCore(entry);
        }
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> Serialize()
    {
        lock (state.FoldLock)
        {
            var (engine, stats, personal) = state.Capture();
            return Document(engine, stats, autopilot?.Capture(), personal);
        }
    }

    /// <summary>The snapshot bytes for an engine checkpoint, counters and autopilot controllers (see remarks).</summary>
    internal static byte[] Document(byte[] engine, LearningStats stats, Dictionary<string, LambdaControllerState>? autopilot = null, byte[]? personal = null) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new StateDocument
            {
                Format = FormatName, Version = 1, Engine = engine, Stats = stats, Autopilot = autopilot is { Count: > 0 } ? autopilot : null, Personal = personal,
            }, JsonOptions);

    private void RestoreCore(StateSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            state.Replace(MixLlmEngine.Deserialize(state.InitialCheckpoint.Span, time), LearningStats.Empty);
            autopilot?.Restore(null);
            return;
        }

        var document = TryReadDocument(snapshot.State);
        if (document is null)
        {
            state.Replace(MixLlmEngine.Deserialize(snapshot.State.Span, time), LearningStats.Empty);
            autopilot?.Restore(null);
            return;
        }

        var personal = document.Personal is { Length: > 0 } bytes ? PersonalPreferenceModel.Deserialize(bytes, state.PersonalisationOptions) : null;
        state.Replace(MixLlmEngine.Deserialize(document.Engine, time), document.Stats ?? LearningStats.Empty, personal);
        autopilot?.Restore(document.Autopilot);
    }

    private void ApplyCore(LogEntry entry)
    {
        LoggedEvent? logged = null;
        var applied = false;
        try
        {
            logged = LoggedEvent.Deserialize(entry.Payload);
            var personal = PersonalUpdate(logged.Event);   // read p̂ before the engine learns from this feedback
            state.Engine.Apply(logged.Event);
            personal?.Invoke(state.Personal);
            applied = true;
            if (logged is { Budget: { } budget, Event: UsageObserved usage })
            {
                autopilot?.Observe(budget, logged.CostUsd, usage.At.ToUnixTimeMilliseconds());
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Deterministic on every replica (same bytes, same engine state): skipping it keeps them equal.
            LogRejected(logger, entry.Id.ToString(), entry.Kind, ex.Message);
        }

        state.SetStats(state.Stats.With(logged, applied));
    }

    // The personal side of an event: a rating by a named user adds score − p̂ to the user's cell of the served arm;
    // a forget drops the user. p̂ is the shared quality prediction for the event's embedding, as the engine scored it.
    private Action<PersonalPreferenceModel>? PersonalUpdate(LearningEvent learningEvent)
    {
        (string User, string Arm, float[] Embedding, double Score)? rating = learningEvent switch
        {
            RefinedFeedback { User: { Length: > 0 } user } refined => (user, refined.Arm, refined.Embedding, Math.Clamp(refined.Score, 0, 1)),
            BinaryFeedback { User: { Length: > 0 } user } binary => (user, binary.Arm, binary.Embedding, binary.Up ? 1 : 0),
            _ => null,
        };
        if (learningEvent is UserForgotten forgotten)
        {
            return model => model.Forget(forgotten.User);
        }

        if (rating is not { } rated)
        {
            return null;
        }

        var prediction = state.Engine.Predict(new Router.Core.Arms.ArmDefinition { Name = rated.Arm }, rated.Embedding, 0);
        var features = new double[PersonalFeatures.Count];
        PersonalFeatures.Write(prediction.Quality, prediction.CompletionTokens, features);
        return model => model.Observe(rated.User, rated.Arm, rated.Score - prediction.Quality, features);
    }

    private static StateDocument? TryReadDocument(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var document = JsonSerializer.Deserialize<StateDocument>(bytes.Span, JsonOptions);
            return document is { Format: FormatName, Engine.Length: > 0 } ? document : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(40, LogLevel.Warning, "Learning entry {Id} ({Kind}) not applied: {Reason}")]
    private static partial void LogRejected(ILogger logger, string id, string kind, string reason);

    private sealed record StateDocument
    {
        public string? Format { get; init; }

        public int Version { get; init; }

        public byte[] Engine { get; init; } = [];

        public LearningStats? Stats { get; init; }

        public Dictionary<string, LambdaControllerState>? Autopilot { get; init; }

        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public byte[]? Personal { get; init; }
    }
}
