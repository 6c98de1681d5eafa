namespace Router.Core.Tagging;

/// <summary>Settings of <see cref="TagHeadTrainer"/>.</summary>
public sealed record TagHeadOptions
{
    /// <summary>Output dimension of the head. Default 64 (keeps the per-arm LinUCB matrices at 65 × 65).</summary>
    public int OutputDimension { get; init; } = 64;

    /// <summary>
    /// τ: the losses use <c>exp(e·μ/τ)</c>. τ = 1 is DESIGN.md's formula as written; the default 0.1 sharpens the
    /// softmax over cosines (which lie in [-1, 1]) so the gradients do not vanish.
    /// </summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>γ in <c>L = L_intra + γ·L_inter</c>. Default 1.</summary>
    public double InterWeight { get; init; } = 1.0;

    /// <summary>Passes over the data. Default 30.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Mini-batch size. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam step size. Default 0.005.</summary>
    public double LearningRate { get; init; } = 0.005;

    /// <summary>Seed for initialisation and shuffling. Default 17.</summary>
    public int Seed { get; init; } = 17;
}
