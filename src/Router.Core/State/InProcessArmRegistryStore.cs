using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Router.Core.Arms;
using Router.Core.Routing;

namespace Router.Core.State;

/// <summary>The arm registry in memory (the embedded default, one replica). Thread-safe; changes are serialised by a lock.</summary>
public sealed class InProcessArmRegistryStore : IArmRegistryStore
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private ArmRegistrySnapshot _current = ArmRegistrySnapshot.Empty;

    /// <summary>Creates an empty registry (version 0).</summary>
    public InProcessArmRegistryStore(ILogger<InProcessArmRegistryStore> logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public ArmRegistrySnapshot Current => Volatile.Read(ref _current);

    /// <inheritdoc />
    public event EventHandler<ArmRegistrySnapshot>? Changed;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ArmRegistrySnapshot> RefreshAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current);

    /// <inheritdoc />
    public ValueTask<ArmDefinition?> FindArmAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Current.FindArm(name));

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> SeedAsync(IReadOnlyList<ArmDefinition> arms, RoutingPolicy globalPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(globalPolicy);
        RegistryArgs.CheckArms(arms);
        return Change(null, s => s.Version != 0
            ? RegistryChangeStatus.AlreadyExists
            : Next(s, arms: Sorted(arms), policy: globalPolicy));
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> AddArmAsync(ArmDefinition arm, CancellationToken cancellationToken)
    {
        RegistryArgs.CheckArm(arm);
        return Change(null, s => s.FindArm(arm.Name) is not null
            ? RegistryChangeStatus.AlreadyExists
            : Next(s, arms: Sorted(s.Arms.Append(arm))));
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> UpdateArmAsync(ArmDefinition arm, long? expectedVersion, CancellationToken cancellationToken)
    {
        RegistryArgs.CheckArm(arm);
        return Change(expectedVersion, s => s.FindArm(arm.Name) is null
            ? RegistryChangeStatus.NotFound
            : Next(s, arms: Sorted(s.Arms.Where(a => a.Name != arm.Name).Append(arm))));
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> RemoveArmAsync(string name, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Change(expectedVersion, s => s.FindArm(name) is null
            ? RegistryChangeStatus.NotFound
            : Next(s, arms: s.Arms.Where(a => a.Name != name).ToArray()));
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> SetGlobalPolicyAsync(RoutingPolicy policy, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Change(expectedVersion, s => Next(s, policy: policy));
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> SetKeyPolicyAsync(string apiKeyId, RoutingPolicy? policy, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKeyId);
        return Change(expectedVersion, s =>
        {
            var keys = new Dictionary<string, RoutingPolicy>(s.KeyPolicies, StringComparer.Ordinal);
            if (policy is null)
            {
                if (!keys.Remove(apiKeyId))
                {
                    return RegistryChangeStatus.NotFound;
                }
            }
            else
            {
                keys[apiKeyId] = policy;
            }

            return Next(s, keyPolicies: keys.ToFrozenDictionary(StringComparer.Ordinal));
        });
    }

    private static ArmDefinition[] Sorted(IEnumerable<ArmDefinition> arms) =>
        arms.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();

    private static ArmRegistrySnapshot Next(
        ArmRegistrySnapshot s,
        IReadOnlyList<ArmDefinition>? arms = null,
        RoutingPolicy? policy = null,
        IReadOnlyDictionary<string, RoutingPolicy>? keyPolicies = null) => new()
        {
            Version = s.Version + 1,
            Arms = arms ?? s.Arms,
            GlobalPolicy = policy ?? s.GlobalPolicy,
            KeyPolicies = keyPolicies ?? s.KeyPolicies,
        };

    // The change function returns either a status (not applied) or the next snapshot.
    private ValueTask<RegistryChangeResult> Change(long? expectedVersion, Func<ArmRegistrySnapshot, OneOf> change)
    {
        ArmRegistrySnapshot next;
        lock (_gate)
        {
            var current = _current;
            if (expectedVersion is { } expected && expected != current.Version)
            {
                return ValueTask.FromResult(new RegistryChangeResult(RegistryChangeStatus.VersionConflict, current.Version));
            }

            var outcome = change(current);
            if (outcome.Snapshot is null)
            {
                return ValueTask.FromResult(new RegistryChangeResult(outcome.Status, current.Version));
            }

            next = outcome.Snapshot;
            Volatile.Write(ref _current, next);
        }

        StateLog.RegistryChanged(_logger, next.Version, next.Arms.Count);
        try
        {
            Changed?.Invoke(this, next);
        }
        catch (Exception ex)
        {
            StateLog.RegistryHandlerFailed(_logger, ex);
        }

        return ValueTask.FromResult(new RegistryChangeResult(RegistryChangeStatus.Applied, next.Version));
    }

    private readonly record struct OneOf(RegistryChangeStatus Status, ArmRegistrySnapshot? Snapshot)
    {
        public static implicit operator OneOf(RegistryChangeStatus status) => new(status, null);

        public static implicit operator OneOf(ArmRegistrySnapshot snapshot) => new(RegistryChangeStatus.Applied, snapshot);
    }
}
