namespace Router.Core.State;

/// <summary>The outcome of a registry change and the registry version after it (the current one when not applied).</summary>
public readonly record struct RegistryChangeResult(RegistryChangeStatus Status, long Version)
{
    /// <summary>True when the change was applied.</summary>
    public bool Applied => Status == RegistryChangeStatus.Applied;
}
