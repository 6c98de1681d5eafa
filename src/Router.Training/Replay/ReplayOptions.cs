namespace Router.Training.Replay;

/// <summary>Settings of <c>router serve-replay</c>.</summary>
public sealed record ReplayOptions
{
    /// <summary>Multiplies every simulated delay (0 = answer at once). Default 1.</summary>
    public double LatencyScale { get; init; } = 1;

    /// <summary>Time to first token of models the arms file does not list. Default 0.5 s.</summary>
    public double DefaultTimeToFirstTokenSeconds { get; init; } = 0.5;

    /// <summary>Generation speed of models the arms file does not list. Default 50 tokens/s.</summary>
    public double DefaultTokensPerSecond { get; init; } = 50;

    /// <summary>Per-model overrides: model → (ttft seconds, tokens per second).</summary>
    public IReadOnlyDictionary<string, (double TimeToFirstTokenSeconds, double TokensPerSecond)> Speeds { get; init; } =
        new Dictionary<string, (double, double)>();
}
