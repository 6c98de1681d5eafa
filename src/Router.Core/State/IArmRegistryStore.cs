using Router.Core.Arms;
using Router.Core.Routing;

namespace Router.Core.State;

/// <summary>
/// The arm registry and routing policies (global and per API key), shared by all replicas. Every change is atomic
/// and bumps <see cref="ArmRegistrySnapshot.Version"/>; other replicas apply it within a second (Redis: pub/sub,
/// healed by a periodic version check). Thread-safe; <see cref="Current"/> is a lock-free read for the hot path.
/// Changes take an optional expected version for optimistic concurrency (null: last writer wins).
/// Throws <see cref="StateStoreUnavailableException"/> on changes while the store is unreachable (answer 503);
/// <see cref="Current"/> keeps the last known version meanwhile.
/// </summary>
public interface IArmRegistryStore
{
    /// <summary>The newest version this replica knows.</summary>
    ArmRegistrySnapshot Current { get; }

    /// <summary>Raised (on a background thread) after <see cref="Current"/> moved to a newer version.</summary>
    event EventHandler<ArmRegistrySnapshot>? Changed;

    /// <summary>Loads the registry and starts listening for changes. Call once at start-up.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Re-reads the registry from the store (read-through) and returns the newest version.</summary>
    ValueTask<ArmRegistrySnapshot> RefreshAsync(CancellationToken cancellationToken);

    /// <summary>The arm by name; on a miss re-reads the store once (an arm added on another replica a moment ago).</summary>
    ValueTask<ArmDefinition?> FindArmAsync(string name, CancellationToken cancellationToken);

    /// <summary>Initialises an empty registry (version 0) with the configured arms and policy; AlreadyExists otherwise.</summary>
    ValueTask<RegistryChangeResult> SeedAsync(IReadOnlyList<ArmDefinition> arms, RoutingPolicy globalPolicy, CancellationToken cancellationToken);

    /// <summary>Adds an arm; AlreadyExists when the name is taken.</summary>
    ValueTask<RegistryChangeResult> AddArmAsync(ArmDefinition arm, CancellationToken cancellationToken);

    /// <summary>Replaces the arm of the same name; NotFound when absent.</summary>
    ValueTask<RegistryChangeResult> UpdateArmAsync(ArmDefinition arm, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Removes the arm; NotFound when absent.</summary>
    ValueTask<RegistryChangeResult> RemoveArmAsync(string name, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Replaces the global policy.</summary>
    ValueTask<RegistryChangeResult> SetGlobalPolicyAsync(RoutingPolicy policy, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Sets the override for one API key id, or removes it when <paramref name="policy"/> is null (NotFound if none).</summary>
    ValueTask<RegistryChangeResult> SetKeyPolicyAsync(string apiKeyId, RoutingPolicy? policy, long? expectedVersion, CancellationToken cancellationToken);
}
