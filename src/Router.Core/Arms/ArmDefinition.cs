using System.Text.Json;

namespace Router.Core.Arms;

/// <summary>
/// One candidate model ("arm"): what the router needs to price and schedule it, and what the gateway needs to
/// reach it. Immutable; a change (admin API, config reload) replaces the whole record.
/// </summary>
public sealed record ArmDefinition
{
    /// <summary>The arm's public name: what clients pin with <c>model</c> and what decisions name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Transport to the upstream. Default <see cref="ProviderKind.OpenAI"/>.</summary>
    public ProviderKind Provider { get; init; } = ProviderKind.OpenAI;

    /// <summary>Base URL of the upstream API, e.g. <c>https://api.openai.com/v1</c>. Not used by <see cref="ProviderKind.Simulated"/>.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The model name sent upstream; defaults to <see cref="Name"/>.</summary>
    public string? UpstreamModel { get; init; }

    /// <summary>Name of the environment variable that holds the API key (never the key itself).</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>USD per one million prompt tokens.</summary>
    public double InputPricePerMillion { get; init; }

    /// <summary>USD per one million completion tokens.</summary>
    public double OutputPricePerMillion { get; init; }

    /// <summary>Requests the upstream serves at once before queueing. Default 16.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Total time allowed for one upstream call. Default 60 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Disabled arms are listed but never routed to. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Free-form tags (skills, topics, region) for cold-start priors and filtering.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Prior for the latency model before live measurements exist: seconds to the first token. Default 0.5 s.</summary>
    public double TimeToFirstTokenSeconds { get; init; } = 0.5;

    /// <summary>Prior for the latency model: generation speed in tokens per second. Default 50.</summary>
    public double TokensPerSecond { get; init; } = 50;

    /// <summary>
    /// Settings only the gateway's transport reads (its Azure <c>api-version</c>, a simulated arm's behaviour), as one
    /// JSON object that the arm registry stores and replicates with the arm; the engine never reads it. Null (also in
    /// registry entries written before this field existed): the arm has none, so the transport uses its defaults.
    /// Must be a detached element (<see cref="JsonElement.Clone"/>) so it outlives the document it came from.
    /// </summary>
    public JsonElement? Transport { get; init; }

    /// <summary>The model name to send upstream.</summary>
    public string EffectiveUpstreamModel => string.IsNullOrEmpty(UpstreamModel) ? Name : UpstreamModel;

    /// <summary>Cost in USD of a call with the given token counts at this arm's prices.</summary>
    public double CostUsd(double promptTokens, double completionTokens) =>
        (promptTokens * InputPricePerMillion + completionTokens * OutputPricePerMillion) / 1_000_000d;
}
