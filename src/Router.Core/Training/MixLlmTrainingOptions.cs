using Router.Core.Decision;
using Router.Core.Prediction;
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

    /// <summary>Quality model of every arm unless <see cref="QualityLearnerByArm"/> names it. Default ridge.</summary>
    public QualityLearner QualityLearner { get; init; } = QualityLearner.Ridge;

    /// <summary>Per-arm choice of quality model (arm name → learner).</summary>
    public IReadOnlyDictionary<string, QualityLearner> QualityLearnerByArm { get; init; } = new Dictionary<string, QualityLearner>();

    /// <summary>Hidden units of the MLP learner. Default 32.</summary>
    public int MlpHidden { get; init; } = 32;

    /// <summary>Training epochs of the MLP learner. Default 60.</summary>
    public int MlpEpochs { get; init; } = 60;

    /// <summary>Seed for k-means and the MLP. Default 17.</summary>
    public int Seed { get; init; } = 17;
}
