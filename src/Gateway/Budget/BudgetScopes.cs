using Router.Core.Routing;
using Router.Core.State;

namespace Router.Gateway.Budget;

/// <summary>Which autopilot controller governs a request: a key's own target, else the global one, else none.</summary>
public static class BudgetScopes
{
    /// <summary>The scope name of the deployment-wide controller.</summary>
    public const string Global = "global";

    /// <summary>The scope name of a key's own controller.</summary>
    public static string ForKey(string apiKeyId) => "key:" + apiKeyId;

    /// <summary>
    /// The budget tag for a request with <paramref name="apiKeyId"/> under <paramref name="registry"/>: the key's
    /// controller when its own policy sets a target, the global controller when the global policy does, else null.
    /// </summary>
    public static BudgetTag? Resolve(ArmRegistrySnapshot registry, string? apiKeyId)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (registry.Version == 0)
        {
            return null;
        }

        var global = registry.GlobalPolicy.Over(RoutingPolicy.Default);
        if (apiKeyId is not null && registry.KeyPolicies.TryGetValue(apiKeyId, out var own) && own.HasBudgetTarget)
        {
            return Tag(ForKey(apiKeyId), own.Over(global));
        }

        return global.HasBudgetTarget ? Tag(Global, global) : null;
    }

    private static BudgetTag Tag(string scope, RoutingPolicy policy) =>
        new(scope, policy.TargetCostPer1kRequests, policy.TargetCostPer1kRequests is null ? policy.TargetMonthlyUsd : null, policy.Lambda ?? 1);
}
