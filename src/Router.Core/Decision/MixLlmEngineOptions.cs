namespace Router.Core.Decision;

/// <summary>
/// Learning and decision constants of <see cref="MixLlmEngine"/>; saved in the checkpoint so every replica folds
/// events with the same numbers.
/// </summary>
public sealed record MixLlmEngineOptions
{
    /// <summary>ρ: ridge strength and LinUCB prior precision, <c>A = ρI + Σ z zᵀ</c>. Default 1.</summary>
    public double Rho { get; init; } = 1.0;

    /// <summary>η: step size of the binary-feedback policy gradient. Default 0.1.</summary>
    public double FeedbackLearningRate { get; init; } = 0.1;

    /// <summary>ε in <c>κ = 1/(Var[s^df] + ε)</c>. Default 1 (κ ≤ 1: the head never outweighs λ·p̂ before it has evidence).</summary>
    public double FeedbackEpsilon { get; init; } = 1.0;

    /// <summary>Largest importance weight 1/propensity in the policy gradient. Default 10.</summary>
    public double MaxImportanceWeight { get; init; } = 10;

    /// <summary>Weight of a new latency observation in the EWMAs. Default 0.2.</summary>
    public double LatencyEwmaWeight { get; init; } = 0.2;

    /// <summary>Half-life with which stale latency statistics fall back to the arm's configured priors. Default 300 s.</summary>
    public double LatencyHalfLifeSeconds { get; init; } = 300;

    /// <summary>Completion length assumed for an arm with no length data. Default 256 tokens.</summary>
    public double DefaultCompletionTokens { get; init; } = 256;

    /// <summary>Prior quality of a cold arm: from <c>ColdQualityLow</c> (cheapest) to <c>ColdQualityHigh</c> (dearest) by price rank.</summary>
    public double ColdQualityLow { get; init; } = 0.3;

    /// <summary>See <see cref="ColdQualityLow"/>. Default 0.8.</summary>
    public double ColdQualityHigh { get; init; } = 0.8;

    /// <summary>
    /// When an arm joins at run time (<c>ArmAdded</c>) without a <c>prior-quality=</c> tag, take as its prior quality
    /// the mean learned prior of the known arms priced within a factor <see cref="PricePeerFactor"/> of it (input +
    /// output price), instead of the price-rank ramp; the ramp remains the fallback when no arm is that close. Default
    /// false (the ramp); <c>router train</c> writes true into its checkpoints.
    /// </summary>
    public bool ColdQualityFromPricePeers { get; init; }

    /// <summary>Price ratio within which a known arm counts as a price peer of a new arm. Default 3.</summary>
    public double PricePeerFactor { get; init; } = 3;

    /// <summary>Scores within this distance of the best are near-ties, broken by a seeded draw. Default 1e-6.</summary>
    public double TieTolerance { get; init; } = 1e-6;

    /// <summary>Seed of the tie-breaking draw (combined with the request id). Default 0.</summary>
    public int Seed { get; init; }
}
