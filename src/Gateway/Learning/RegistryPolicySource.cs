using Microsoft.Extensions.Options;
using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Budget;
using Router.Gateway.Configuration;

namespace Router.Gateway.Learning;

/// <summary>
/// Policies from the shared arm registry (<see cref="ArmRegistrySnapshot.PolicyFor"/>), so a change through any
/// replica's admin API applies on all. Before the registry is seeded (version 0) the configured
/// <see cref="GatewayOptions.DefaultPolicy"/> applies. Under a budget target (<see cref="BudgetScopes"/>) λ is the
/// autopilot's (the policy's own λ is where its controller starts).
/// </summary>
public sealed class RegistryPolicySource(IArmRegistryStore registry, IOptions<GatewayOptions> options, BudgetAutopilot? autopilot = null) : IRoutingPolicySource
{
    private readonly RoutingPolicy _configured = options.Value.DefaultPolicy.Over(RoutingPolicy.Default);

    /// <inheritdoc />
    public RoutingPolicy For(string? apiKeyId)
    {
        var current = registry.Current;
        if (current.Version == 0)
        {
            return _configured;
        }

        var policy = current.PolicyFor(apiKeyId);
        return autopilot is not null && BudgetScopes.Resolve(current, apiKeyId) is { } budget && autopilot.LambdaFor(budget.Scope) is { } lambda
            ? policy with { Lambda = lambda }
            : policy;
    }
}
