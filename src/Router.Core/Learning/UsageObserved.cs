namespace Router.Core.Learning;

/// <summary>A completed upstream call: updates the arm's length model (when an embedding is given) and latency statistics.</summary>
public sealed record UsageObserved : LearningEvent
{
    /// <summary>The gateway request.</summary>
    public string? RequestId { get; init; }

    /// <summary>The decision's embedding; null for pinned requests (latency only).</summary>
    public float[]? Embedding { get; init; }

    /// <summary>Prompt tokens the upstream reported.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Completion tokens the upstream reported.</summary>
    public int CompletionTokens { get; init; }

    /// <summary>Seconds from sending to the first token (the whole duration for non-streamed calls).</summary>
    public double TimeToFirstTokenSeconds { get; init; }

    /// <summary>Seconds from sending to the last byte.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>When the call completed; the latency statistics decay with age measured from it.</summary>
    public DateTimeOffset At { get; init; }
}
