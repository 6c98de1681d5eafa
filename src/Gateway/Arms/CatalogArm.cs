using Router.Core.Arms;
using Router.Gateway.Configuration;

namespace Router.Gateway.Arms;

/// <summary>
/// An arm as the gateway holds it: the engine's <see cref="ArmDefinition"/> plus the transport details only the
/// gateway needs. Immutable; an update replaces the whole record.
/// </summary>
public sealed record CatalogArm
{
    /// <summary>What the router sees.</summary>
    public required ArmDefinition Definition { get; init; }

    /// <summary>Azure OpenAI <c>api-version</c>; null: the gateway default.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Behaviour of a simulated arm; ignored for real providers.</summary>
    public SimulationOptions Simulation { get; init; } = new();

    /// <summary>The arm's name (shortcut for <c>Definition.Name</c>).</summary>
    public string Name => Definition.Name;

    /// <summary>A catalog entry from validated configuration.</summary>
    public static CatalogArm FromOptions(ArmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CatalogArm { Definition = options.ToDefinition(), ApiVersion = options.ApiVersion, Simulation = options.Simulation };
    }
}
