using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Router.Core.Learning;

namespace Router.Gateway.Learning;

/// <summary>
/// The gateway's counters, part of the folded state (snapshotted with the engine): per arm <see cref="ArmStats"/>, and
/// how many entries of each sort were applied. Immutable: <see cref="With"/> returns the next state.
/// </summary>
public sealed record LearningStats
{
    /// <summary>Nothing applied yet.</summary>
    public static LearningStats Empty { get; } = new();

    /// <summary>Per-arm counters by arm name (ordinal).</summary>
    [JsonConverter(typeof(SortedArmStatsConverter))]
    public ImmutableSortedDictionary<string, ArmStats> Arms { get; init; } = ImmutableSortedDictionary.Create<string, ArmStats>(StringComparer.Ordinal);

    /// <summary>Log entries applied (all kinds, including ones the engine rejected).</summary>
    public long EntriesApplied { get; init; }

    /// <summary>Feedback events (score or thumbs) the engine applied.</summary>
    public long FeedbackApplied { get; init; }

    /// <summary>Usage events the engine applied.</summary>
    public long UsageApplied { get; init; }

    /// <summary>Entries the engine refused (bad payload, wrong embedding size).</summary>
    public long Rejected { get; init; }

    /// <summary>The next state after <paramref name="logged"/> was applied to the engine (or refused, <paramref name="applied"/> false).</summary>
    public LearningStats With(LoggedEvent? logged, bool applied)
    {
        if (logged is null || !applied)
        {
            return this with { EntriesApplied = EntriesApplied + 1, Rejected = Rejected + 1 };
        }

        var e = logged.Event;
        if (e is UserForgotten)
        {
            return this with { EntriesApplied = EntriesApplied + 1 };   // about no arm
        }

        if (e is ArmRemoved)
        {
            return this with { EntriesApplied = EntriesApplied + 1, Arms = Arms.Remove(e.Arm) };
        }

        var arm = Arms.TryGetValue(e.Arm, out var existing) ? existing : new ArmStats();
        arm = arm with { Events = arm.Events + 1 };
        var feedback = 0;
        var usage = 0;
        switch (e)
        {
            case RefinedFeedback refined:
                arm = arm with { Scores = arm.Scores + 1, ScoreSum = arm.ScoreSum + Math.Clamp(refined.Score, 0, 1) };
                feedback = 1;
                break;
            case BinaryFeedback binary:
                arm = binary.Up ? arm with { ThumbsUp = arm.ThumbsUp + 1 } : arm with { ThumbsDown = arm.ThumbsDown + 1 };
                feedback = 1;
                break;
            case UsageObserved observed:
                arm = arm with
                {
                    Requests = arm.Requests + 1,
                    SpendUsd = arm.SpendUsd + logged.CostUsd,
                    DurationSecondsSum = arm.DurationSecondsSum + observed.DurationSeconds,
                    TimeToFirstTokenSecondsSum = arm.TimeToFirstTokenSecondsSum + observed.TimeToFirstTokenSeconds,
                };
                usage = 1;
                break;
            default:
                break;
        }

        return this with
        {
            Arms = Arms.SetItem(e.Arm, arm),
            EntriesApplied = EntriesApplied + 1,
            FeedbackApplied = FeedbackApplied + feedback,
            UsageApplied = UsageApplied + usage,
        };
    }
}
