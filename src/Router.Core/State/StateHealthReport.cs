namespace Router.Core.State;

/// <summary>What <c>/health/ready</c> and <c>/admin/stats</c> show about the state layer.</summary>
public sealed record StateHealthReport
{
    /// <summary>The overall verdict.</summary>
    public StateHealthStatus Status { get; init; }

    /// <summary><c>redis</c> or <c>in-process</c>.</summary>
    public string Backend { get; init; } = "in-process";

    /// <summary>Whether the multiplexer is connected (always true in-process).</summary>
    public bool StoreConnected { get; init; }

    /// <summary>Events waiting in the local degraded-mode buffer.</summary>
    public int BufferedEvents { get; init; }

    /// <summary>When the current degraded period began.</summary>
    public DateTimeOffset? DegradedSince { get; init; }

    /// <summary>The follower's last applied log id (null when no follower runs).</summary>
    public string? LastAppliedId { get; init; }

    /// <summary>The follower's lag behind the log.</summary>
    public TimeSpan? FollowerLag { get; init; }

    /// <summary>The arm registry version this replica holds.</summary>
    public long RegistryVersion { get; init; }
}
