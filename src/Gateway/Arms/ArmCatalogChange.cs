namespace Router.Gateway.Arms;

/// <summary>What happened to the catalog.</summary>
public enum ArmCatalogChangeKind
{
    /// <summary>An arm was added.</summary>
    Added,

    /// <summary>An arm was replaced by a new definition.</summary>
    Updated,

    /// <summary>An arm was removed.</summary>
    Removed,
}
