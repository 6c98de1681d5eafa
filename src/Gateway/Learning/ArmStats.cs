namespace Router.Gateway.Learning;

/// <summary>
/// Counters for one arm, folded from the log (so every replica reports the same numbers). Sums are added in log order,
/// so they are bit-identical across replicas too.
/// </summary>
public sealed record ArmStats
{
    /// <summary>Completed requests served by the arm (usage events).</summary>
    public long Requests { get; init; }

    /// <summary>Spend in USD at the arm's prices when each request was served.</summary>
    public double SpendUsd { get; init; }

    /// <summary>Sum of request durations in seconds (mean = sum / <see cref="Requests"/>).</summary>
    public double DurationSecondsSum { get; init; }

    /// <summary>Sum of times to first token in seconds.</summary>
    public double TimeToFirstTokenSecondsSum { get; init; }

    /// <summary>Refined scores applied.</summary>
    public long Scores { get; init; }

    /// <summary>Sum of refined scores (mean = sum / <see cref="Scores"/>).</summary>
    public double ScoreSum { get; init; }

    /// <summary>Thumbs up applied.</summary>
    public long ThumbsUp { get; init; }

    /// <summary>Thumbs down applied.</summary>
    public long ThumbsDown { get; init; }

    /// <summary>Learning events of any kind folded for the arm.</summary>
    public long Events { get; init; }
}
