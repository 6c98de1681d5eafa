namespace Router.Gateway.Usage.History;

/// <summary>The counters of one bucket of one group. Not thread-safe (the in-memory store locks around it).</summary>
public sealed class UsageCounters
{
    /// <summary>Requests.</summary>
    public long Requests { get; set; }

    /// <summary>Errors.</summary>
    public long Errors { get; set; }

    /// <summary>Prompt tokens.</summary>
    public long InputTokens { get; set; }

    /// <summary>Completion tokens.</summary>
    public long OutputTokens { get; set; }

    /// <summary>USD.</summary>
    public double CostUsd { get; set; }

    /// <summary>Latency distribution.</summary>
    public LatencySketch Latency { get; } = new();

    /// <summary>Counts one sample.</summary>
    public void Add(UsageSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        Requests++;
        Errors += sample.IsError ? 1 : 0;
        InputTokens += sample.InputTokens;
        OutputTokens += sample.OutputTokens;
        CostUsd += sample.CostUsd;
        Latency.Add(sample.LatencyMs);
    }
}
