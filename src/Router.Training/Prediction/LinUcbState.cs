namespace Router.Training.Prediction;

/// <summary>
/// Fitted state of <see cref="LinUcbRidgePredictor"/> (written by <c>router train</c>): features are
/// <c>[embedding ; tag_scale·onehot(task in Tasks) ; 1]</c>; per arm, quality = prior_quality + (A⁻¹ b_quality)·x,
/// length = exp(prior_log_length + (A⁻¹ b_length)·x) − 1, bonus = sqrt(xᵀ A⁻¹ x).
/// </summary>
public sealed record LinUcbState
{
    public required IReadOnlyList<string> Arms { get; init; }

    public required IReadOnlyList<string> Tasks { get; init; }

    public required int FeatureDimension { get; init; }

    public required double Rho { get; init; }

    public required double TagScale { get; init; }

    public required IReadOnlyList<LinUcbArmState> PerArm { get; init; }
}

/// <summary>One arm's LinUCB/ridge statistics.</summary>
public sealed record LinUcbArmState
{
    public required string Arm { get; init; }

    public required double PriorQuality { get; init; }

    public required double PriorLogLength { get; init; }

    /// <summary>A⁻¹, row-major, FeatureDimension².</summary>
    public required double[] AInverse { get; init; }

    public required double[] BQuality { get; init; }

    public required double[] BLength { get; init; }
}
