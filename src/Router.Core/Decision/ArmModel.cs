using Router.Core.Prediction;

namespace Router.Core.Decision;

/// <summary>
/// Everything the engine has learned about one arm. Published instances are never mutated: an update works on a
/// <see cref="Copy"/> whose changed parts are cloned first (copy-on-write), so readers see consistent state.
/// </summary>
internal sealed class ArmModel
{
    public required string Name { get; init; }

    public double InputPricePerMillion { get; set; }

    public double OutputPricePerMillion { get; set; }

    /// <summary>Prior mean quality (the intercept the ridge shrinks towards).</summary>
    public double PriorQuality { get; set; }

    /// <summary>Prior mean of log(1 + completion tokens).</summary>
    public double PriorLogLength { get; set; }

    /// <summary>Quality ridge; its A⁻¹ is LinUCB's.</summary>
    public required RidgeRegression Quality { get; set; }

    /// <summary>Nonlinear quality model; when set it predicts p̂ instead of the ridge (which still gives the bonus).</summary>
    public MlpRegressor? QualityMlp { get; set; }

    /// <summary>Ridge on log(1 + completion tokens).</summary>
    public required RidgeRegression Length { get; set; }

    /// <summary>θ of the binary-feedback head: <c>s^df = θ·z</c>.</summary>
    public required double[] FeedbackWeights { get; set; }

    /// <summary>Welford statistics of s^df over the feedback events (for κ).</summary>
    public long FeedbackCount { get; set; }

    public double FeedbackMean { get; set; }

    public double FeedbackM2 { get; set; }

    public long LatencyCount { get; set; }

    public double TtftEwma { get; set; }

    public double TokensPerSecondEwma { get; set; }

    /// <summary>Unix milliseconds of the last latency observation.</summary>
    public long LastLatencyUnixMs { get; set; }

    /// <summary>Var[s^df] (population), 0 before two events.</summary>
    public double FeedbackVariance => FeedbackCount > 1 ? FeedbackM2 / FeedbackCount : 0;

    public ArmModel Copy() => (ArmModel)MemberwiseClone();

    public static ArmModel Cold(string name, int features, double rho, double priorQuality, double priorLogLength, double inputPrice, double outputPrice)
    {
        var qualityPrior = new double[features];
        qualityPrior[^1] = priorQuality;
        var lengthPrior = new double[features];
        lengthPrior[^1] = priorLogLength;
        return new ArmModel
        {
            Name = name,
            InputPricePerMillion = inputPrice,
            OutputPricePerMillion = outputPrice,
            PriorQuality = priorQuality,
            PriorLogLength = priorLogLength,
            Quality = new RidgeRegression(features, rho, qualityPrior),
            Length = new RidgeRegression(features, rho, lengthPrior),
            FeedbackWeights = new double[features],
        };
    }
}
