namespace Router.Core.Decision;

/// <summary>How the logging policy explores (<c>Router:Exploration:Mode</c>).</summary>
public enum ExplorationMode
{
    /// <summary>Always the best-scoring arm (near-ties drawn uniformly): propensity 1 except for ties.</summary>
    Off,

    /// <summary>With probability ε a uniformly drawn eligible arm, else the best one.</summary>
    EpsilonGreedy,

    /// <summary>An arm drawn with probability ∝ exp(score / temperature) (Boltzmann exploration).</summary>
    Softmax,
}
