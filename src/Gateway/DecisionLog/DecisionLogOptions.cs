namespace Router.Gateway.DecisionLog;

/// <summary>
/// The decision log (<c>Router:DecisionLog</c>): every routed decision with its candidates, λ and propensity, then its
/// outcome and feedback, for the console's Decisions page and for off-policy evaluation (<c>router ope</c>). With
/// Redis configured it is a Redis stream (shared by the replicas); otherwise rotating JSONL files in
/// <see cref="Directory"/> (one set per replica).
/// </summary>
public sealed record DecisionLogOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:DecisionLog";

    /// <summary>Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Also store the query text (default false: only its SHA-256 prefix). Prompts may hold personal data.</summary>
    public bool StorePrompts { get; init; }

    /// <summary>Store the projected query embedding (needed by <c>router ope</c> to score a checkpoint). Default true.</summary>
    public bool StoreEmbeddings { get; init; } = true;

    /// <summary>Folder of the JSONL files (without Redis). Default <c>decision-log</c> under the working directory.</summary>
    public string Directory { get; init; } = "decision-log";

    /// <summary>A JSONL file is closed and a new one started beyond this size. Default 16 MiB.</summary>
    public long MaxFileBytes { get; init; } = 16L << 20;

    /// <summary>The oldest JSONL files are deleted while the folder holds more. Default 512 MiB.</summary>
    public long MaxTotalBytes { get; init; } = 512L << 20;

    /// <summary>Records older than this are dropped (files deleted; the stream trimmed). Default 30 days.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The Redis stream is trimmed (approximately) to this many records. Default 1,000,000.</summary>
    public long MaxStreamEntries { get; init; } = 1_000_000;

    /// <summary>How many of the newest records <c>GET /admin/decisions</c> searches. Default 20,000.</summary>
    public int SearchDepth { get; init; } = 20_000;

    /// <summary>The problems with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add("Router:DecisionLog:Directory must name a folder.");
        }

        if (MaxFileBytes < 4096 || MaxTotalBytes < MaxFileBytes)
        {
            errors.Add("Router:DecisionLog needs MaxFileBytes ≥ 4096 and MaxTotalBytes ≥ MaxFileBytes.");
        }

        if (MaxAge <= TimeSpan.Zero || MaxAge > TimeSpan.FromDays(3650))
        {
            errors.Add("Router:DecisionLog:MaxAge must be between 0 and 3650 days.");
        }

        if (MaxStreamEntries < 1000 || SearchDepth < 1 || SearchDepth > 1_000_000)
        {
            errors.Add("Router:DecisionLog needs MaxStreamEntries ≥ 1000 and SearchDepth in 1..1,000,000.");
        }

        return errors;
    }
}
