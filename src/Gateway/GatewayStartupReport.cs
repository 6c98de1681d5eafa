using Router.Gateway.Arms;
using Router.Gateway.Logging;
using Router.Gateway.Usage;

namespace Router.Gateway;

/// <summary>
/// At start: lists the arms, warns about API-key variables that are not set (a key is never logged), and loads the
/// tokenizer in the background so the first routed request does not pay for it (~0.2 s).
/// </summary>
internal sealed class GatewayStartupReport(IArmCatalog catalog, ITokenCounter tokens, ILogger<GatewayStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => tokens.CountTokens("warm up"), CancellationToken.None);
        var arms = catalog.Arms;
        GatewayLog.Serving(logger, arms.Count, string.Join(", ", arms.Select(a => a.Enabled ? a.Name : a.Name + " (disabled)")));
        if (arms.Count == 0)
        {
            GatewayLog.NoArms(logger);
        }

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
