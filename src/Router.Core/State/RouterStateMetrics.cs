using System.Diagnostics.Metrics;

namespace Router.Core.State;

/// <summary>
/// The state layer's instruments on meter <c>Router.State</c> (export them with OpenTelemetry's
/// <c>AddMeter("Router.State")</c>): follower lag, buffered events, degraded flag, registry version. Observable
/// instruments read <see cref="RouterStateHealth"/> on collection, so they cost nothing between scrapes.
/// </summary>
public sealed class RouterStateMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Router.State";

    /// <summary>Creates the instruments.</summary>
    public RouterStateMetrics(IMeterFactory meterFactory, RouterStateHealth health)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(health);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "router.state.follower.lag",
            () => health.GetReport().FollowerLag?.TotalSeconds ?? 0,
            unit: "s",
            description: "How far the learned state trails the event log, in append time.");
        meter.CreateObservableGauge(
            "router.state.buffered_events",
            () => health.GetReport().BufferedEvents,
            unit: "{event}",
            description: "Learning events buffered on local disk while the shared log is unreachable.");
        meter.CreateObservableGauge(
            "router.state.degraded",
            () => health.GetReport().Status == StateHealthStatus.Degraded ? 1 : 0,
            description: "1 while the shared state store is unreachable.");
        meter.CreateObservableGauge(
            "router.state.registry.version",
            () => health.GetReport().RegistryVersion,
            description: "The arm registry version this replica holds.");
    }
}
