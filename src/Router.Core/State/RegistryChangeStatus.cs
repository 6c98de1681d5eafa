namespace Router.Core.State;

/// <summary>Outcome of a registry change (admin API: 200/201, 404, 409, 412).</summary>
public enum RegistryChangeStatus
{
    /// <summary>Applied; the registry is at the returned version.</summary>
    Applied,

    /// <summary>The arm or key policy does not exist.</summary>
    NotFound,

    /// <summary>An arm with that name exists (or, for a seed, the registry is already initialised).</summary>
    AlreadyExists,

    /// <summary>The registry is not at the expected version (someone else changed it first).</summary>
    VersionConflict,
}
