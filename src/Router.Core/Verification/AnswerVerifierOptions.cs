namespace Router.Core.Verification;

/// <summary>Training settings of the <see cref="AnswerVerifier"/>.</summary>
public sealed record AnswerVerifierOptions
{
    /// <summary>Hidden units. Default 16.</summary>
    public int Hidden { get; init; } = 16;

    /// <summary>Epochs of Adam. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Adam step size. Default 0.003.</summary>
    public double LearningRate { get; init; } = 0.003;

    /// <summary>L2 weight decay on the first layer. Default 1e-4.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Seed of the initial weights and the batch order. Default 17.</summary>
    public int Seed { get; init; } = 17;
}
