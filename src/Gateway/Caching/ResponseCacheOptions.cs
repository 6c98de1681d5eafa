namespace Router.Gateway.Caching;

/// <summary>
/// The exact-match response cache (section <c>Router:Cache</c>): off by default. When on, a non-streaming
/// <c>/v1/chat/completions</c>, <c>/v1/completions</c> or <c>/v1/embeddings</c> request identical to an earlier one
/// (same operation, client key, routing knobs and body bytes: <see cref="ResponseCacheKey"/>) is answered from the
/// cache without an upstream call. In process memory, and in Redis as well when <c>Router:Redis:Configuration</c> is
/// set (shared by the replicas). Validated at start.
/// </summary>
public sealed record ResponseCacheOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Router:Cache";

    /// <summary>Whether the cache is used. Default false: every request goes upstream.</summary>
    public bool Enabled { get; init; }

    /// <summary>How long a stored answer is served, from the moment it was stored. Default 1 h; must be &gt; 0.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Largest response body stored, in bytes; a larger answer is passed on but not stored. Default 1 MiB.</summary>
    public int MaxEntryBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Bound of the in-process cache (sum of stored bodies plus their decision copies, in bytes): when full, a new entry
    /// is not kept in memory and a compaction removes expired, then least recently used, entries. Default 64 MiB; must
    /// be at least <see cref="MaxEntryBytes"/>.
    /// </summary>
    public long MemoryLimitBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// With <c>Router:Redis:Configuration</c> set, whether entries are also written to Redis so every replica can serve
    /// them. Default true. Set false to keep the cache in each replica's memory (e.g. when Redis's maxmemory is tight:
    /// the state layer's Redis runs with <c>noeviction</c>, so cache entries count against the room the learning log
    /// needs until their TTL expires).
    /// </summary>
    public bool UseRedis { get; init; } = true;

    /// <summary>
    /// Whether identical requests that arrive while the first is still being answered on this replica wait for its
    /// answer (then served from the cache) instead of each going upstream. Default true. Per replica: replicas do not
    /// wait for each other.
    /// </summary>
    public bool Coalesce { get; init; } = true;

    /// <summary>
    /// The longest a coalesced request waits for the first one before going upstream itself (also when the first one
    /// failed and stored nothing: then the waiters go upstream at once). Default 2 min; must be &gt; 0 and at most 49 days.
    /// </summary>
    public TimeSpan CoalesceMaxWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Validation messages (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Ttl <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:Ttl must be > 0 (e.g. 01:00:00).");
        }

        if (MaxEntryBytes <= 0)
        {
            errors.Add($"{SectionName}:MaxEntryBytes must be > 0.");
        }

        if (CoalesceMaxWait <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:CoalesceMaxWait must be > 0 (e.g. 00:02:00).");
        }

        // The wait runs on a timer, which takes at most 2^32 - 2 ms (~49.7 days): longer failed every coalesced request.
        if (CoalesceMaxWait > TimeSpan.FromDays(49))
        {
            errors.Add($"{SectionName}:CoalesceMaxWait must be at most 49 days.");
        }

        if (MemoryLimitBytes < MaxEntryBytes)
        {
            errors.Add($"{SectionName}:MemoryLimitBytes must be >= MaxEntryBytes ({MaxEntryBytes}).");
        }

        return errors;
    }
}
