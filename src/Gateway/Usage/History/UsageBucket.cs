using System.Text.Json.Serialization;

namespace Router.Gateway.Usage.History;

/// <summary>
/// One bucket of <c>GET /admin/usage</c>: one of <see cref="Arm"/>, <see cref="Key"/> or <see cref="Model"/> is set
/// (the <c>group_by</c> dimension), the others are left out of the JSON.
/// </summary>
public sealed record UsageBucket
{
    /// <summary>UTC start of the bucket (ISO-8601).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The arm (group_by=arm).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arm { get; init; }

    /// <summary>The client key id (group_by=key).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    /// <summary>The upstream model (group_by=model).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    /// <summary>Completed requests.</summary>
    public long Requests { get; init; }

    /// <summary>Requests that ended in an error.</summary>
    public long Errors { get; init; }

    /// <summary>Prompt tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Completion tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Spend in USD.</summary>
    public double CostUsd { get; init; }

    /// <summary>Median latency (ms), from the bucket's <see cref="LatencySketch"/> (≈4.8% relative error).</summary>
    public double? LatencyP50Ms { get; init; }

    /// <summary>99th-percentile latency (ms), from the same sketch.</summary>
    public double? LatencyP99Ms { get; init; }

    /// <summary>A bucket of <paramref name="dimension"/> for group <paramref name="group"/>, from its counters.</summary>
    public static UsageBucket From(DateTimeOffset start, UsageDimension dimension, string group, UsageCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return new UsageBucket
        {
            Start = start,
            Arm = dimension == UsageDimension.Arm ? group : null,
            Key = dimension == UsageDimension.Key ? group : null,
            Model = dimension == UsageDimension.Model ? group : null,
            Requests = counters.Requests,
            Errors = counters.Errors,
            InputTokens = counters.InputTokens,
            OutputTokens = counters.OutputTokens,
            CostUsd = Math.Round(counters.CostUsd, 9),
            LatencyP50Ms = counters.Latency.Quantile(0.5),
            LatencyP99Ms = counters.Latency.Quantile(0.99),
        };
    }
}
