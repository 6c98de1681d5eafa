using Router.Core.Arms;

namespace Router.Gateway.Arms;

/// <summary>
/// The current set of arms. Seeded from configuration; admins (and the Redis arm registry) add, update and remove
/// arms at run time. Thread-safe: reads see an immutable snapshot, writes are serialised, and
/// <see cref="Changed"/> fires after each write (on the writer's thread; handlers must be quick and must not throw).
/// </summary>
public interface IArmCatalog
{
    /// <summary>Incremented by every change; lets caches notice a new snapshot cheaply.</summary>
    long Version { get; }

    /// <summary>All arms (enabled or not), in insertion order. An immutable snapshot.</summary>
    IReadOnlyList<CatalogArm> Entries { get; }

    /// <summary>The router's view of <see cref="Entries"/>: their definitions, same order. An immutable snapshot.</summary>
    IReadOnlyList<ArmDefinition> Arms { get; }

    /// <summary>Raised after an arm is added, updated or removed.</summary>
    event EventHandler<ArmCatalogChangedEventArgs>? Changed;

    /// <summary>Finds an arm by name (case-insensitive).</summary>
    bool TryGet(string name, out CatalogArm arm);

    /// <summary>Adds an arm; false when one with the same name exists.</summary>
    bool Add(CatalogArm arm);

    /// <summary>Replaces the arm with the same name; false when there is none.</summary>
    bool Update(CatalogArm arm);

    /// <summary>Removes an arm; false when there is none.</summary>
    bool Remove(string name);
}
