namespace Router.Core.Decision;

/// <summary>
/// Exploration of the routing decision (<c>Router:Exploration</c>), so that the decision log can be used for
/// off-policy evaluation: an estimator can only value a policy on arms the logging policy could have chosen
/// (support), and only if the log holds the probability it chose them with (propensity).
/// </summary>
public sealed record ExplorationOptions
{
    /// <summary>Default <see cref="ExplorationMode.Off"/>: every decision has propensity 1 (no off-policy evaluation of other policies possible).</summary>
    public ExplorationMode Mode { get; init; } = ExplorationMode.Off;

    /// <summary>ε of ε-greedy, in [0, 1]. Default 0.05.</summary>
    public double Epsilon { get; init; } = 0.05;

    /// <summary>Temperature of softmax, in score units, &gt; 0. Default 0.05 (scores differ by ~0.1 between good and poor arms).</summary>
    public double Temperature { get; init; } = 0.05;

    /// <summary>Seed of the exploration draw (combined with the request id, so a decision is reproducible). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Throws when a value is out of range (called at start).</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε outside [0, 1] or a temperature that is not positive and finite.</exception>
    public void Validate()
    {
        if (!(Epsilon >= 0 && Epsilon <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Router:Exploration:Epsilon must be in [0, 1].");
        }

        if (!(Temperature > 0) || !double.IsFinite(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Router:Exploration:Temperature must be positive and finite.");
        }
    }
}
