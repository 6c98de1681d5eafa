namespace Router.Training.OffPolicy;

/// <summary>
/// One logged decision seen by a target policy π.
/// </summary>
/// <param name="TargetProbability">π(a_i | x_i): the target's probability of the logged arm (0 or 1 when deterministic).</param>
/// <param name="Propensity">μ(a_i | x_i): the logging policy's probability of the logged arm, &gt; 0.</param>
/// <param name="Reward">The observed reward of the logged arm.</param>
/// <param name="ModelLogged">The direct model's reward for the logged arm, q̂(x_i, a_i).</param>
/// <param name="ModelTarget">The direct model's value of the target, Σ_a π(a | x_i)·q̂(x_i, a).</param>
/// <param name="TargetArmPropensity">
/// μ(a*_i | x_i): the logging policy's probability of the arm a* a deterministic target chooses for x_i (whether or not
/// it was logged); NaN when unknown. With <paramref name="TargetRewardVariance"/> it gives DR its model-based
/// variance (<see cref="OffPolicyEstimator.DrModelVariance"/>).
/// </param>
/// <param name="TargetRewardVariance">σ̂²(x_i, a*_i): the direct model's variance of the reward of a* (q̂(1 − q̂) for a reward in [0, 1]); NaN when unknown.</param>
public readonly record struct OpeSample(
    double TargetProbability, double Propensity, double Reward, double ModelLogged, double ModelTarget,
    double TargetArmPropensity = double.NaN, double TargetRewardVariance = double.NaN)
{
    /// <summary>The importance weight w = π/μ.</summary>
    public double Weight => TargetProbability / Propensity;

    /// <summary>σ̂² of a reward in [0, 1] with model mean <paramref name="q"/>: the Bernoulli variance q(1 − q), its upper bound for any [0, 1] reward of that mean.</summary>
    public static double BoundedRewardVariance(double q)
    {
        var p = Math.Clamp(q, 0, 1);
        return p * (1 - p);
    }
}
