namespace Router.Core.Decision;

/// <summary>The engine's λ-independent predictions for one arm and one query (compose scores for any λ from them).</summary>
/// <param name="Quality">p̂ in [0, 1].</param>
/// <param name="CompletionTokens">len̂, tokens.</param>
/// <param name="CostUsd">ĉ = promptTokens·price_in + len̂·price_out.</param>
/// <param name="Uncertainty">sqrt(zᵀA⁻¹z) (multiply by α for the bonus).</param>
/// <param name="FeedbackTerm">κ·s^df.</param>
/// <param name="ExpectedSeconds">t̂ with the current load.</param>
/// <param name="Known">False when the arm has no learned state (cold-start prior).</param>
public readonly record struct ArmPrediction(
    double Quality,
    double CompletionTokens,
    double CostUsd,
    double Uncertainty,
    double FeedbackTerm,
    double ExpectedSeconds,
    bool Known);
