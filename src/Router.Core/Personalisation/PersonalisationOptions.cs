namespace Router.Core.Personalisation;

/// <summary>
/// Constants of <see cref="PersonalPreferenceModel"/>. Every replica must fold with the same numbers (they come from
/// configuration, <c>Router:Personalisation</c>); the defaults are the ones <c>router simulate --personas</c> measured
/// (docs/results/personas/report.md).
/// </summary>
public sealed record PersonalisationOptions
{
    /// <summary>Which personal terms are used in the score. Default <see cref="PersonalisationMode.ResidualsAndFactors"/>.</summary>
    public PersonalisationMode Mode { get; init; } = PersonalisationMode.ResidualsAndFactors;

    /// <summary>Most users held; past it the user with the least recent feedback is evicted. Default 10,000.</summary>
    public int MaxUsers { get; init; } = 10_000;

    /// <summary>
    /// κ of the shrinkage weight n/(n+κ), in ratings. 0 (default): estimated from the data (empirical Bayes, κ = σ²/τ²,
    /// see <see cref="PersonalPreferenceModel.Kappa"/>), <see cref="PriorKappa"/> until there is enough data.
    /// </summary>
    public double Kappa { get; init; }

    /// <summary>κ used until <see cref="MinCellsForEstimate"/> (user, arm) cells have two or more ratings. Default 10.</summary>
    public double PriorKappa { get; init; } = 10;

    /// <summary>Cells with ≥ 2 ratings needed before κ is estimated. Default 8.</summary>
    public int MinCellsForEstimate { get; init; } = 8;

    /// <summary>Bounds of the estimated κ. Default [1, 1000].</summary>
    public double MinKappa { get; init; } = 1;

    /// <summary>See <see cref="MinKappa"/>.</summary>
    public double MaxKappa { get; init; } = 1000;

    /// <summary>
    /// Learn per-user preference weights θ_u over the arm features of <see cref="PersonalFeatures"/> (predicted quality,
    /// predicted length) besides the per-arm cells, so that a preference such as "quality counts double" or "shorter is
    /// better" reaches arms and queries the user never rated. Default true.
    /// </summary>
    public bool UseFeatures { get; init; } = true;

    /// <summary>Ridge strength of θ_u (prior θ = 0), in ratings. Default 5.</summary>
    public double FeatureRegularisation { get; init; } = 5;

    /// <summary>Rank k of the user and arm factors. Default 4.</summary>
    public int Rank { get; init; } = 4;

    /// <summary>L2 strength λ of both factor ridges (Koren et al. 2009, eq. 2), in ratings. Default 2.</summary>
    public double FactorRegularisation { get; init; } = 2;

    /// <summary>Observations between two full alternating-least-squares refits of the arm factors. Default 100.</summary>
    public int RefitEvery { get; init; } = 100;

    /// <summary>ALS sweeps (arms, then users) per refit. Default 3.</summary>
    public int RefitSweeps { get; init; } = 3;

    /// <summary>Largest |personal term|, in quality units (the score adds λ times it). Default 0.5.</summary>
    public double MaxTerm { get; init; } = 0.5;

    /// <summary>Seed of the arm factors' initial values. Default 7.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Throws when a value is out of range (checked at start by the gateway's options validation).</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(nameof(PersonalisationOptions), message);
            }
        }

        Check(MaxUsers >= 1, "MaxUsers must be at least 1.");
        Check(Kappa >= 0 && double.IsFinite(Kappa), "Kappa must be 0 (estimate) or a positive number.");
        Check(PriorKappa > 0 && double.IsFinite(PriorKappa), "PriorKappa must be positive.");
        Check(MinKappa > 0 && MaxKappa >= MinKappa && double.IsFinite(MaxKappa), "MinKappa and MaxKappa must satisfy 0 < MinKappa <= MaxKappa.");
        Check(MinCellsForEstimate >= 1, "MinCellsForEstimate must be at least 1.");
        Check(Rank is >= 1 and <= 32, "Rank must be between 1 and 32.");
        Check(FactorRegularisation > 0 && double.IsFinite(FactorRegularisation), "FactorRegularisation must be positive.");
        Check(RefitEvery >= 1 && RefitSweeps >= 1, "RefitEvery and RefitSweeps must be at least 1.");
        Check(MaxTerm > 0 && double.IsFinite(MaxTerm), "MaxTerm must be positive.");
        Check(FeatureRegularisation > 0 && double.IsFinite(FeatureRegularisation), "FeatureRegularisation must be positive.");
    }
}
