using System.Collections.Frozen;
using Router.Core.Arms;
using Router.Core.Routing;

namespace Router.Core.State;

/// <summary>
/// One consistent version of the arm registry and policies. Immutable: a change produces a new snapshot with a
/// higher <see cref="Version"/>, so the hot path reads <see cref="IArmRegistryStore.Current"/> without locks.
/// </summary>
public sealed record ArmRegistrySnapshot
{
    /// <summary>The never-initialised registry (version 0): no arms, default policy.</summary>
    public static ArmRegistrySnapshot Empty { get; } = new();

    /// <summary>Monotonic change counter; 0 means the registry was never seeded or loaded (fall back to configuration).</summary>
    public long Version { get; init; }

    /// <summary>All arms (enabled or not), ordered by name (ordinal).</summary>
    public IReadOnlyList<ArmDefinition> Arms { get; init; } = [];

    /// <summary>The deployment-wide policy (its null fields inherit <see cref="RoutingPolicy.Default"/>).</summary>
    public RoutingPolicy GlobalPolicy { get; init; } = RoutingPolicy.Default;

    /// <summary>Per-API-key overrides by key id (their null fields inherit the global policy).</summary>
    public IReadOnlyDictionary<string, RoutingPolicy> KeyPolicies { get; init; } = FrozenDictionary<string, RoutingPolicy>.Empty;

    /// <summary>The arm called <paramref name="name"/> (ordinal), or null.</summary>
    public ArmDefinition? FindArm(string name)
    {
        foreach (var arm in Arms)
        {
            if (string.Equals(arm.Name, name, StringComparison.Ordinal))
            {
                return arm;
            }
        }

        return null;
    }

    /// <summary>The effective policy for <paramref name="apiKeyId"/>: key override over global over defaults.</summary>
    public RoutingPolicy PolicyFor(string? apiKeyId)
    {
        var global = GlobalPolicy.Over(RoutingPolicy.Default);
        return apiKeyId is not null && KeyPolicies.TryGetValue(apiKeyId, out var keyPolicy) ? keyPolicy.Over(global) : global;
    }
}
