using Router.Core.State;
using Router.Gateway.Arms;

namespace Router.Gateway.Health;

/// <summary>
/// <c>/health/live</c>: 200 while the process serves HTTP. <c>/health/ready</c>: 503 while starting (the learned
/// state is still being replayed from the log); 200 with <c>"status": "healthy"</c>, or 200 with
/// <c>"status": "degraded"</c> while Redis is unreachable: the replica keeps routing with its last state and buffers
/// learning events on local disk, so it should stay in the load balancer. Details as JSON. Both answer <c>HEAD</c> too
/// (load balancers probe with it): same status and headers, no body (Kestrel drops a HEAD response's body).
/// </summary>
public static class HealthEndpoints
{
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Maps both probes (GET and HEAD).</summary>
    public static IEndpointRouteBuilder MapRouterHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/health/live", GetOrHead, () => Results.Json(new { status = "live" }));
        endpoints.MapMethods("/health/ready", GetOrHead, (IServiceProvider services, IArmCatalog catalog) =>
        {
            var health = services.GetService<RouterStateHealth>();
            if (health is null)
            {
                return Results.Json(new { status = "healthy", backend = "none", arms = catalog.Arms.Count });
            }

            var report = health.GetReport();
            var body = new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                backend = report.Backend,
                storeConnected = report.StoreConnected,
                bufferedEvents = report.BufferedEvents,
                degradedSince = report.DegradedSince,
                lastAppliedId = report.LastAppliedId,
                followerLagMs = report.FollowerLag?.TotalMilliseconds,
                registryVersion = report.RegistryVersion,
                arms = catalog.Arms.Count,
            };
            return Results.Json(body, statusCode: report.Status == StateHealthStatus.Starting
                ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status200OK);
        });
        return endpoints;
    }
}
