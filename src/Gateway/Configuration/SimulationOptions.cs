namespace Router.Gateway.Configuration;

/// <summary>
/// Canned behaviour of a <c>simulated</c> arm. Latency comes from the arm's <see cref="Router.Core.Arms.ArmSettings.TimeToFirstTokenSeconds"/>
/// and <see cref="Router.Core.Arms.ArmSettings.TokensPerSecond"/>.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>
    /// The answer's text. <c>{arm}</c> is replaced by the arm's name and <c>{query}</c> by the start of the last user
    /// turn. Default: a short sentence naming the arm.
    /// </summary>
    public string Reply { get; init; } = "This is {arm}, a simulated model, answering: {query}";

    /// <summary>Upper bound on the answer's tokens (words); the request's <c>max_tokens</c> lowers it. Default 64.</summary>
    public int MaxCompletionTokens { get; init; } = 64;

    /// <summary>When set (e.g. 503), every call fails with this status and an OpenAI error body: for fallback drills.</summary>
    public int? FailWithStatus { get; init; }

    /// <summary>Length of the simulated embedding vectors. Default 256.</summary>
    public int EmbeddingDimension { get; init; } = 256;

    /// <summary>Whether the arm reports <c>usage</c> (real servers do; turn off to exercise token estimation). Default true.</summary>
    public bool ReportUsage { get; init; } = true;
}
