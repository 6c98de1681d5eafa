using Router.Gateway.Configuration;

namespace Router.Gateway.Admin;

/// <summary>The body of <c>PATCH /admin/arms/{name}</c>: only the fields sent change (names as in configuration, camelCase).</summary>
public sealed record ArmPatch
{
    /// <summary>Enable or disable routing to the arm.</summary>
    public bool? Enabled { get; init; }

    /// <summary>USD per million prompt tokens.</summary>
    public double? InputPricePerMillion { get; init; }

    /// <summary>USD per million completion tokens.</summary>
    public double? OutputPricePerMillion { get; init; }

    /// <summary>Requests served at once before queueing.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Upstream inactivity timeout in seconds.</summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>Latency prior: seconds to the first token.</summary>
    public double? TimeToFirstTokenSeconds { get; init; }

    /// <summary>Latency prior: tokens per second.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Replaces the tags.</summary>
    public IList<string>? Tags { get; init; }

    /// <summary>Azure OpenAI <c>api-version</c> for this arm (replaces the current one).</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Replaces the simulated arm's behaviour as a whole (omitted fields take their defaults).</summary>
    public SimulationOptions? Simulation { get; init; }

    /// <summary>True when no field is set.</summary>
    public bool IsEmpty => Enabled is null && InputPricePerMillion is null && OutputPricePerMillion is null && MaxConcurrency is null
        && TimeoutSeconds is null && TimeToFirstTokenSeconds is null && TokensPerSecond is null && Tags is null
        && ApiVersion is null && Simulation is null;
}
