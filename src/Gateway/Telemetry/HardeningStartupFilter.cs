using Router.Core.State;
using Router.Gateway.Auth;

namespace Router.Gateway.Telemetry;

/// <summary>
/// Puts the Prometheus scrape endpoint (<c>/metrics</c>) and the client-key middleware at the front of the pipeline,
/// so Program.cs and the test hosts get them from <c>AddRouterGateway</c> alone. Also creates the state layer's
/// meter so its instruments exist from the start.
/// </summary>
internal sealed class HardeningStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        _ = app.ApplicationServices.GetService<RouterStateMetrics>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint();
        app.UseMiddleware<ClientAccessMiddleware>();
        next(app);
    };
}
