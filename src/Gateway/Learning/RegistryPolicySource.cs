using Microsoft.Extensions.Options;
using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Configuration;

namespace Router.Gateway.Learning;

/// <summary>
/// Policies from the shared arm registry (<see cref="ArmRegistrySnapshot.PolicyFor"/>), so a change through any
/// replica's admin API applies on all. Before the registry is seeded (version 0) the configured
/// <see cref="GatewayOptions.DefaultPolicy"/> applies.
/// </summary>
public sealed class RegistryPolicySource(IArmRegistryStore registry, IOptions<GatewayOptions> options) : IRoutingPolicySource
{
    private readonly RoutingPolicy _configured = options.Value.DefaultPolicy.Over(RoutingPolicy.Default);

    /// <inheritdoc />
    public RoutingPolicy For(string? apiKeyId)
    {
        var current = registry.Current;
        return current.Version == 0 ? _configured : current.PolicyFor(apiKeyId);
    }
}
