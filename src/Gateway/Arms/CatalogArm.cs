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

    /// <summary>
    /// A catalog entry from validated settings (configuration or the admin API). Its <see cref="Definition"/> carries
    /// <see cref="ApiVersion"/> and <see cref="Simulation"/> in <see cref="ArmDefinition.Transport"/>, so the arm
    /// registry keeps them.
    /// </summary>
    public static CatalogArm FromOptions(ArmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CatalogArm
        {
            Definition = options.ToDefinition() with { Transport = ArmTransport.ToJson(options.ApiVersion, options.Simulation) },
            ApiVersion = options.ApiVersion,
            Simulation = options.Simulation,
        };
    }

    /// <summary>
    /// A catalog entry for an arm of the shared registry: the transport settings come from
    /// <see cref="ArmDefinition.Transport"/>. An entry without them (written before they were stored, or unreadable)
    /// takes them from <paramref name="fallback"/> (the configured arm of that name) or the defaults.
    /// </summary>
    public static CatalogArm FromDefinition(ArmDefinition definition, CatalogArm? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (ArmTransport.TryRead(definition.Transport, out var transport))
        {
            return new CatalogArm { Definition = definition, ApiVersion = transport.ApiVersion, Simulation = transport.Simulation ?? new() };
        }

        return fallback is null
            ? new CatalogArm { Definition = definition }
            : new CatalogArm { Definition = definition, ApiVersion = fallback.ApiVersion, Simulation = fallback.Simulation };
    }
}
