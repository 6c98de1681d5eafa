using System.Diagnostics;

namespace Router.Gateway.Telemetry;

/// <summary>The gateway's trace source and the names of its spans and tags.</summary>
public static class GatewayTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string SourceName = "Router.Gateway";

    /// <summary>Span around the routing decision (tags: query length, per-arm scores, chosen arm, λ).</summary>
    public const string RouteSpan = "router.route";

    /// <summary>Span around one upstream attempt (tags: arm, attempt, status, outcome).</summary>
    public const string UpstreamSpan = "router.upstream";

    /// <summary>The trace source (static: Activity listeners are process-wide anyway).</summary>
    public static ActivitySource Source { get; } = new(SourceName);
}
