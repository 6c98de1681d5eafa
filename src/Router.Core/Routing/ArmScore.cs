namespace Router.Core.Routing;

/// <summary>One arm's line in a decision's explanation: every term of the score.</summary>
/// <param name="Arm">The arm's name.</param>
/// <param name="PredictedQuality">p̂, in [0, 1].</param>
/// <param name="PredictedCostUsd">ĉ, in USD.</param>
/// <param name="UncertaintyBonus">α·sqrt(eᵀA⁻¹e), already weighted.</param>
/// <param name="LatencyPenalty">β·max(0, t̂ − t_target), already weighted.</param>
/// <param name="FeedbackTerm">κ·s^df from binary feedback, already weighted.</param>
/// <param name="Score">The total the decision ranks by.</param>
/// <param name="ExcludedReason">Why the arm could not be chosen (e.g. over the time limit); null when eligible.</param>
/// <param name="PersonalTerm">λ·t_ua, the user's personal term (docs/personalisation.md), already weighted; 0 without one.</param>
public sealed record ArmScore(
    string Arm,
    double PredictedQuality,
    double PredictedCostUsd,
    double UncertaintyBonus,
    double LatencyPenalty,
    double FeedbackTerm,
    double Score,
    string? ExcludedReason = null,
    double PersonalTerm = 0);
