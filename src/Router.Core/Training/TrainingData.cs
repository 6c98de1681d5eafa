using Router.Core.Arms;

namespace Router.Core.Training;

/// <summary>
/// What <see cref="MixLlmTrainer"/> learns from: N training queries with full feedback (every arm's quality and
/// length where known). Arrays are indexed by query; per-arm arrays follow <see cref="Arms"/>; NaN = missing.
/// </summary>
public sealed record TrainingData
{
    /// <summary><see cref="Embedding.ITextEncoder.ModelId"/> of the encoder that made <see cref="Embeddings"/>.</summary>
    public required string EncoderId { get; init; }

    /// <summary>Length of one encoder embedding (384 for MiniLM).</summary>
    public required int EncoderDimension { get; init; }

    /// <summary>Raw encoder embeddings, <c>N × EncoderDimension</c>, row-major.</summary>
    public required float[] Embeddings { get; init; }

    /// <summary>Prompt tokens per query (for costs and c_ref).</summary>
    public required int[] PromptTokens { get; init; }

    /// <summary>The arms, with their prices.</summary>
    public required IReadOnlyList<ArmDefinition> Arms { get; init; }

    /// <summary>Per arm, the quality in [0, 1] of its answer to each query; NaN where unknown.</summary>
    public required IReadOnlyList<double[]> Quality { get; init; }

    /// <summary>Per arm, completion tokens of its answer to each query; NaN where unknown. Null: no length data.</summary>
    public IReadOnlyList<double[]>? CompletionTokens { get; init; }

    /// <summary>Per query, a tag cluster in [0, C) (e.g. the dataset's task name as an index). Null: k-means clusters.</summary>
    public int[]? ClusterLabels { get; init; }

    /// <summary>Number of queries.</summary>
    public int Count => PromptTokens.Length;
}
