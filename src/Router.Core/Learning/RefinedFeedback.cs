namespace Router.Core.Learning;

/// <summary>A quality score in [0, 1] for the answer <see cref="LearningEvent.Arm"/> gave: updates that arm's ridge/LinUCB statistics.</summary>
public sealed record RefinedFeedback : LearningEvent
{
    /// <summary>The gateway request the score is for.</summary>
    public string? RequestId { get; init; }

    /// <summary>The decision's embedding.</summary>
    public required float[] Embedding { get; init; }

    /// <summary>Quality in [0, 1] (clamped).</summary>
    public required double Score { get; init; }

    /// <summary>Who rated (hashed when <c>Router:Privacy:HashUsers</c>); null: no personal update.</summary>
    public string? User { get; init; }
}
