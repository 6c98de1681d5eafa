using Router.Core.Arms;

namespace Router.Gateway.Configuration;

/// <summary>
/// One arm as written in the gateway's configuration: the shared <see cref="ArmSettings"/> (name, provider, URL,
/// prices, concurrency, latency priors; mapped to the engine's <see cref="ArmDefinition"/> by
/// <see cref="ArmSettings.ToDefinition"/>) plus settings only the gateway's transport uses.
/// </summary>
public sealed record ArmOptions : ArmSettings
{
    /// <summary>Azure OpenAI <c>api-version</c>; defaults to <see cref="GatewayOptions.AzureApiVersion"/>.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Canned behaviour of a <c>simulated</c> arm.</summary>
    public SimulationOptions Simulation { get; init; } = new();
}
