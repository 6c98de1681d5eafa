using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// Builds the one shared <see cref="IConnectionMultiplexer"/> (STYLE.md #13): <c>AbortOnConnectFail=false</c> so a
/// replica starts while Redis is still down, fail-fast while disconnected so requests degrade at once instead of
/// queueing for the full timeout, and quick reconnects.
/// </summary>
public static class RedisConnectionFactory
{
    /// <summary>Parses <paramref name="configuration"/> and applies the state layer's defaults.</summary>
    public static ConfigurationOptions CreateOptions(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000);
        if (!configuration.Contains("clientName", StringComparison.OrdinalIgnoreCase))
        {
            options.ClientName = "router";
        }

        return options;
    }

    /// <summary>Connects (returns at once when the server is down; the multiplexer keeps retrying).</summary>
    public static IConnectionMultiplexer Connect(string configuration) =>
        ConnectionMultiplexer.Connect(CreateOptions(configuration));
}
