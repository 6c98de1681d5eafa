using System.Text.Json.Serialization;

namespace Router.Core.Routing;

/// <summary>
/// The knobs of the meta decision (DESIGN.md step 8): <c>score = λ·(p̂ + κ·s^df) − ĉ/c_ref + α·bonus − β·max(0, t̂ − t_target)</c>
/// (the binary-feedback term κ·s^df is weighted by λ; see <c>MixLlmEngine</c>).
/// Set per deployment, overridden per API key and per request; a null field means "inherit".
/// </summary>
public sealed record RoutingPolicy
{
    /// <summary>The deployment defaults.</summary>
    public static RoutingPolicy Default { get; } = new()
    {
        Lambda = 1.0,
        Alpha = 0.1,
        Beta = 0.1,
        TimeLimitSeconds = null,
        TargetLatencySeconds = 10,
    };

    /// <summary>λ, the budget weight: how much one unit of quality is worth against one unit of normalised cost.</summary>
    public double? Lambda { get; init; }

    /// <summary>α, the weight of the LinUCB uncertainty bonus.</summary>
    public double? Alpha { get; init; }

    /// <summary>β, the weight of the latency penalty per second over target.</summary>
    public double? Beta { get; init; }

    /// <summary>Hard limit: arms expected to take longer are excluded. Null: no limit.</summary>
    public double? TimeLimitSeconds { get; init; }

    /// <summary>Soft target: the latency penalty counts seconds beyond it.</summary>
    public double? TargetLatencySeconds { get; init; }

    /// <summary>
    /// Budget autopilot target in USD per 1,000 routed requests: when set, a controller moves λ so that the realised
    /// cost tracks it (<c>Router.Core.Budget.LambdaController</c>) and <see cref="Lambda"/> is only its starting point.
    /// Null: no target of its own (a key's policy then inherits the global one; null there = autopilot off).
    /// </summary>
    public double? TargetCostPer1kRequests { get; init; }

    /// <summary>
    /// Budget autopilot target as a monthly spend in USD, turned into a per-request target with the observed request
    /// rate (30-day month). Ignored when <see cref="TargetCostPer1kRequests"/> is set.
    /// </summary>
    public double? TargetMonthlyUsd { get; init; }

    /// <summary>True when an autopilot target is set.</summary>
    [JsonIgnore]
    public bool HasBudgetTarget => TargetCostPer1kRequests is not null || TargetMonthlyUsd is not null;

    /// <summary>This policy with every null field taken from <paramref name="fallback"/>.</summary>
    public RoutingPolicy Over(RoutingPolicy fallback) => new()
    {
        Lambda = Lambda ?? fallback.Lambda,
        Alpha = Alpha ?? fallback.Alpha,
        Beta = Beta ?? fallback.Beta,
        TimeLimitSeconds = TimeLimitSeconds ?? fallback.TimeLimitSeconds,
        TargetLatencySeconds = TargetLatencySeconds ?? fallback.TargetLatencySeconds,
        TargetCostPer1kRequests = HasBudgetTarget ? TargetCostPer1kRequests : fallback.TargetCostPer1kRequests,
        TargetMonthlyUsd = HasBudgetTarget ? TargetMonthlyUsd : fallback.TargetMonthlyUsd,
    };
}
