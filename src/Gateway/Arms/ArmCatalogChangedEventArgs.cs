namespace Router.Gateway.Arms;

/// <summary>One change to the <see cref="IArmCatalog"/>.</summary>
/// <param name="Kind">Added, updated or removed.</param>
/// <param name="Name">The arm's name.</param>
/// <param name="Previous">The entry before the change (null when added).</param>
/// <param name="Current">The entry after the change (null when removed).</param>
/// <param name="Version">The catalog version after the change.</param>
public sealed record ArmCatalogChangedEventArgs(
    ArmCatalogChangeKind Kind,
    string Name,
    CatalogArm? Previous,
    CatalogArm? Current,
    long Version);
