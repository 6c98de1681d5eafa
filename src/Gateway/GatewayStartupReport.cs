using Router.Gateway.Arms;
using Router.Gateway.Logging;

namespace Router.Gateway;

/// <summary>At start: lists the arms and warns about API-key variables that are not set (a key is never logged).</summary>
internal sealed class GatewayStartupReport(IArmCatalog catalog, ILogger<GatewayStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var arms = catalog.Arms;
        GatewayLog.Serving(logger, arms.Count, string.Join(", ", arms.Select(a => a.Enabled ? a.Name : a.Name + " (disabled)")));
        foreach (var arm in arms)
        {
            if (arm.ApiKeyEnv is { Length: > 0 } env && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(env)))
            {
                GatewayLog.MissingApiKey(logger, arm.Name, env);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
