namespace Router.Core.Decision;

/// <summary>
/// Learning and decision constants of <see cref="MixLlmEngine"/>; saved in the checkpoint so every replica folds
/// events with the same numbers.
/// </summary>
public sealed record MixLlmEngineOptions
{
    /// <summary>ρ: ridge strength and LinUCB prior precision, <c>A = ρI + Σ z zᵀ</c>. Default 1.</summary>
    public double Rho { get; init; } = 1.0;

    /// <summary>η: step size of the binary-feedback policy gradient. Default 0.001.</summary>
    /// <remarks>
    /// Default 0.001, chosen with <c>router simulate</c> on three seeded splits of the RouterBench train files: with
    /// thumbs also training the quality ridge (<see cref="BinaryUpdatesQuality"/>) the head has to learn only what the
    /// quality model misses, and larger steps (0.003, 0.01, the former 0.1) let its noise override the quality model
    /// (at 0.1 thumbs cost 3–14 points of quality at the 24.18% budget). 0 switches the head off (the ablation).
    /// </remarks>
    public double FeedbackLearningRate { get; init; } = 0.001;

    /// <summary>
    /// Thumbs also train the chosen arm's quality ridge, as a score of 1 (up) or 0 (down), besides the feedback head.
    /// Default true: a thumb is a coarse quality observation, and where scores are correct/incorrect it is exactly the
    /// score; trained on the head alone (false, DESIGN.md step 10 read literally) thumbs made the router worse in every
    /// simulated split (README "Continual learning").
    /// </summary>
    public bool BinaryUpdatesQuality { get; init; } = true;

    /// <summary>
    /// Policy gradient with a baseline (actor-critic; Williams 1992, Sutton &amp; Barto §13.4): the reward is
    /// <c>r − p̂_m*(e)</c> with r = 1 (up) or 0 (down) and the quality model's prediction as the critic, instead of
    /// r = ±1. The head then moves only when thumbs disagree with the predicted quality, and the step's variance drops.
    /// Default true.
    /// </summary>
    public bool BinaryBaseline { get; init; } = true;

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
