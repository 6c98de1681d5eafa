using Router.Gateway.Telemetry;

namespace Router.Gateway.Auth;

/// <summary>Says at start whether client keys are enforced or the gateway is open to loopback clients only.</summary>
internal sealed class KeyModeStartupReport(IApiKeyStore keys, ILogger<KeyModeStartupReport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await keys.HasActiveKeysAsync(cancellationToken))
            {
                HardeningLog.KeysEnforced(logger, keys is RedisApiKeyStore ? "redis" : "in-process");
            }
            else
            {
                HardeningLog.OpenOnLoopbackOnly(logger);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HardeningLog.KeyStoreUnavailable(logger, "(start-up check)", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
