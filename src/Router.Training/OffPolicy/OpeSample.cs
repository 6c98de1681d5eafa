namespace Router.Training.OffPolicy;

/// <summary>
/// One logged decision seen by a target policy π.
/// </summary>
/// <param name="TargetProbability">π(a_i | x_i): the target's probability of the logged arm (0 or 1 when deterministic).</param>
/// <param name="Propensity">μ(a_i | x_i): the logging policy's probability of the logged arm, &gt; 0.</param>
/// <param name="Reward">The observed reward of the logged arm.</param>
/// <param name="ModelLogged">The direct model's reward for the logged arm, q̂(x_i, a_i).</param>
/// <param name="ModelTarget">The direct model's value of the target, Σ_a π(a | x_i)·q̂(x_i, a).</param>
public readonly record struct OpeSample(double TargetProbability, double Propensity, double Reward, double ModelLogged, double ModelTarget)
{
    /// <summary>The importance weight w = π/μ.</summary>
    public double Weight => TargetProbability / Propensity;
}
