using Router.Core.Decision;
using Router.Core.Tagging;

namespace Router.Core.Training;

/// <summary>Settings of <see cref="MixLlmTrainer"/>.</summary>
public sealed record MixLlmTrainingOptions
{
    /// <summary>Train the tag-enhanced head. Default true; false uses raw encoder embeddings (the "no tags" ablation; slow LinUCB at 385 features).</summary>
    public bool UseHead { get; init; } = true;

    /// <summary>Head settings (output dimension, temperature, epochs...).</summary>
    public TagHeadOptions Head { get; init; } = new();

    /// <summary>Clusters for the k-means fallback when the data has no labels. Default 16.</summary>
    public int KMeansClusters { get; init; } = 16;

    /// <summary>Engine constants (ρ, feedback rates...), saved in the checkpoint.</summary>
    public MixLlmEngineOptions Engine { get; init; } = new();

    /// <summary>Seed for k-means. Default 17.</summary>
    public int Seed { get; init; } = 17;
}
