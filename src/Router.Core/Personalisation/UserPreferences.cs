namespace Router.Core.Personalisation;

/// <summary>How one user's routing differs from the shared model (<c>GET /admin/users/{id}</c>).</summary>
/// <param name="User">The user key as stored (the hash when users are hashed).</param>
/// <param name="FeedbackCount">Ratings folded for this user.</param>
/// <param name="Kappa">The κ in force.</param>
/// <param name="Arms">Per arm, sorted by name: every arm the model knows.</param>
/// <param name="PreferenceWeights">θ_u over [1, predicted quality, predicted length] (docs/personalisation.md).</param>
public sealed record UserPreferences(string User, long FeedbackCount, double Kappa, IReadOnlyList<ArmPreference> Arms, IReadOnlyList<double> PreferenceWeights);

/// <summary>One arm's personal term for a user.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Ratings">n: this user's ratings of the arm.</param>
/// <param name="MeanResidual">Mean of (score − shared prediction − θ_u·features); 0 without ratings.</param>
/// <param name="ShrinkageWeight">n/(n+κ): how much the user's own mean counts.</param>
/// <param name="FactorTerm">p_u·q_a (0 unless the mode uses factors).</param>
/// <param name="Term">The query-independent part of the term added to the quality part of the score (before λ; the
/// θ_u·features part depends on the query).</param>
public sealed record ArmPreference(string Arm, int Ratings, double MeanResidual, double ShrinkageWeight, double FactorTerm, double Term);
