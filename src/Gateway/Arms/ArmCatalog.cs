using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Router.Core.Arms;
using Router.Gateway.Configuration;

namespace Router.Gateway.Arms;

/// <summary>
/// In-memory <see cref="IArmCatalog"/>: copy-on-write snapshots behind a lock, so the request path reads without
/// locking and a change never tears a snapshot.
/// </summary>
public sealed class ArmCatalog : IArmCatalog
{
    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>An empty catalog.</summary>
    public ArmCatalog()
    {
    }

    /// <summary>A catalog seeded with the configured arms (options already validated).</summary>
    public ArmCatalog(IOptions<GatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _snapshot = Snapshot.Create(options.Value.Arms.Select(CatalogArm.FromOptions).ToList(), version: 0);
    }

    /// <inheritdoc />
    public event EventHandler<ArmCatalogChangedEventArgs>? Changed;

    /// <inheritdoc />
    public long Version => _snapshot.Version;

    /// <inheritdoc />
    public IReadOnlyList<CatalogArm> Entries => _snapshot.Entries;

    /// <inheritdoc />
    public IReadOnlyList<ArmDefinition> Arms => _snapshot.Definitions;

    /// <inheritdoc />
    public bool TryGet(string name, out CatalogArm arm) => _snapshot.ByName.TryGetValue(name, out arm!);

    /// <inheritdoc />
    public bool Add(CatalogArm arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentException.ThrowIfNullOrWhiteSpace(arm.Name);
        ArmCatalogChangedEventArgs change;
        lock (_writeLock)
        {
            var current = _snapshot;
            if (current.ByName.ContainsKey(arm.Name))
            {
                return false;
            }

            var next = Snapshot.Create([.. current.Entries, arm], current.Version + 1);
            _snapshot = next;
            change = new ArmCatalogChangedEventArgs(ArmCatalogChangeKind.Added, arm.Name, null, arm, next.Version);
        }

        Changed?.Invoke(this, change);
        return true;
    }

    /// <inheritdoc />
    public bool Update(CatalogArm arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArmCatalogChangedEventArgs change;
        lock (_writeLock)
        {
            var current = _snapshot;
            if (!current.ByName.TryGetValue(arm.Name, out var previous))
            {
                return false;
            }

            var entries = current.Entries.Select(e => ReferenceEquals(e, previous) ? arm : e).ToList();
            var next = Snapshot.Create(entries, current.Version + 1);
            _snapshot = next;
            change = new ArmCatalogChangedEventArgs(ArmCatalogChangeKind.Updated, arm.Name, previous, arm, next.Version);
        }

        Changed?.Invoke(this, change);
        return true;
    }

    /// <inheritdoc />
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArmCatalogChangedEventArgs change;
        lock (_writeLock)
        {
            var current = _snapshot;
            if (!current.ByName.TryGetValue(name, out var previous))
            {
                return false;
            }

            var next = Snapshot.Create(current.Entries.Where(e => !ReferenceEquals(e, previous)).ToList(), current.Version + 1);
            _snapshot = next;
            change = new ArmCatalogChangedEventArgs(ArmCatalogChangeKind.Removed, previous.Name, previous, null, next.Version);
        }

        Changed?.Invoke(this, change);
        return true;
    }

    private sealed record Snapshot(
        long Version,
        IReadOnlyList<CatalogArm> Entries,
        IReadOnlyList<ArmDefinition> Definitions,
        FrozenDictionary<string, CatalogArm> ByName)
    {
        public static Snapshot Empty { get; } = Create([], 0);

        public static Snapshot Create(IReadOnlyList<CatalogArm> entries, long version) => new(
            version,
            entries.ToArray(),
            entries.Select(e => e.Definition).ToArray(),
            entries.ToFrozenDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase));
    }
}
