namespace Router.Core.State;

/// <summary>
/// Knobs of the state layer (configuration section <c>Router:State</c>). Defaults suit one to a few replicas;
/// validated at start (<see cref="StateServiceCollectionExtensions.AddRouterState(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>).
/// </summary>
public sealed record LearningStateOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:State";

    /// <summary>How long a decision record is kept for late feedback. Default 24 h (issue 5: at least 24 h).</summary>
    public TimeSpan DecisionRecordTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an idempotency key is remembered. Default 48 h: longer than the feedback window.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Snapshot after this many applied entries. Default 10 000.</summary>
    public int SnapshotEveryEntries { get; set; } = 10_000;

    /// <summary>Snapshot at least this often while entries arrive. Default 5 min.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Snapshots kept; the log is trimmed behind the oldest kept one. Default 2.</summary>
    public int SnapshotsRetained { get; set; } = 2;

    /// <summary>
    /// Extra log kept before the oldest kept snapshot, in append time, for a replica that is still replaying from
    /// an older position. Default 1 h. Trimming is off when <see cref="TrimAfterSnapshot"/> is false.
    /// </summary>
    public TimeSpan TrimMargin { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Trim the log after each snapshot. Default true.</summary>
    public bool TrimAfterSnapshot { get; set; } = true;

    /// <summary>Entries read per round trip by the follower. Default 512.</summary>
    public int FollowBatchSize { get; set; } = 512;

    /// <summary>Longest wait between reads when idle (pub/sub usually wakes the follower sooner). Default 1 s.</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a replica checks the registry version (heals a lost pub/sub message). Default 2 s.</summary>
    public TimeSpan RegistryRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Folder of the degraded-mode buffer (<c>learning-events.buffer.jsonl</c>). Put it on a persistent volume:
    /// events acknowledged while Redis is down live only there until flushed. Default: <c>&lt;temp&gt;/router-state</c>.
    /// </summary>
    public string? BufferDirectory { get; set; }

    /// <summary>Largest degraded-mode buffer; appends beyond it are rejected (503). Default 64 MiB.</summary>
    public long BufferMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How often the buffer is retried while degraded. Default 1 s.</summary>
    public TimeSpan BufferFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The buffer folder with the default applied.</summary>
    public string EffectiveBufferDirectory =>
        string.IsNullOrWhiteSpace(BufferDirectory) ? Path.Combine(Path.GetTempPath(), "router-state") : BufferDirectory;

    /// <summary>Problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DecisionRecordTtl <= TimeSpan.Zero)
        {
            errors.Add("Router:State:DecisionRecordTtl must be positive.");
        }

        if (IdempotencyWindow <= TimeSpan.Zero)
        {
            errors.Add("Router:State:IdempotencyWindow must be positive.");
        }

        if (SnapshotEveryEntries < 1)
        {
            errors.Add("Router:State:SnapshotEveryEntries must be at least 1.");
        }

        if (SnapshotInterval <= TimeSpan.Zero)
        {
            errors.Add("Router:State:SnapshotInterval must be positive.");
        }

        if (SnapshotsRetained < 1)
        {
            errors.Add("Router:State:SnapshotsRetained must be at least 1.");
        }

        if (TrimMargin < TimeSpan.Zero)
        {
            errors.Add("Router:State:TrimMargin must not be negative.");
        }

        if (FollowBatchSize is < 1 or > 100_000)
        {
            errors.Add("Router:State:FollowBatchSize must be between 1 and 100000.");
        }

        if (FollowPollInterval <= TimeSpan.Zero || RegistryRefreshInterval <= TimeSpan.Zero || BufferFlushInterval <= TimeSpan.Zero)
        {
            errors.Add("Router:State:FollowPollInterval, RegistryRefreshInterval and BufferFlushInterval must be positive.");
        }

        if (BufferMaxBytes < 4096)
        {
            errors.Add("Router:State:BufferMaxBytes must be at least 4096.");
        }

        return errors;
    }
}
