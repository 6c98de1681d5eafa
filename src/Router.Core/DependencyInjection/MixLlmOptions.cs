using Router.Core.Embedding;

namespace Router.Core.DependencyInjection;

/// <summary>Configuration of the MixLLM router in a host (section e.g. <c>Router:MixLlm</c>). Validated at start.</summary>
public sealed class MixLlmOptions
{
    /// <summary>
    /// Checkpoint written by <c>router train</c>; relative paths resolve by <see cref="ConfiguredPath.Resolve(string)"/>. Null: an
    /// untrained engine (<see cref="Decision.MixLlmEngine.CreateDefault"/>); a path to no file fails the start.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Folder with model.onnx and vocab.txt. Default: <c>models/all-MiniLM-L6-v2</c> beside the application.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Encoder token window. Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Which part of long prompts to keep. Default head and tail.</summary>
    public TruncationSide Truncation { get; set; } = TruncationSide.HeadAndTail;

    /// <summary>ONNX Runtime intra-op threads per encoder call. Default 1.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Try the CUDA execution provider (falls back to the CPU). Default false.</summary>
    public bool UseCuda { get; set; }

    /// <summary>Encoder weight precision: <c>Float32</c> (default) or <c>Int8</c> (quantised at load; CPU only).</summary>
    public EncoderPrecision Precision { get; set; }

    /// <summary>
    /// Routing queries whose embeddings are kept in memory (<see cref="QueryEmbeddingCache"/>): a repeated prompt skips
    /// the encoder. Default 10,000 (about 16 MB at 384 dimensions); 0 turns the cache off.
    /// </summary>
    public int EmbeddingCacheEntries { get; set; } = 10_000;

    /// <summary>
    /// Most concurrent routing queries embedded in one encoder run (<see cref="MicroBatchingQueryEncoder"/>). Default 16;
    /// 1 runs every query alone (still one run at a time).
    /// </summary>
    public int EncoderMaxBatch { get; set; } = 16;

    /// <summary>
    /// How long a batch that is not full waits for more queries, in milliseconds. Default 0: a query that finds the
    /// encoder idle runs at once, and batches form from the queries that arrive while a run is busy. At most 100.
    /// </summary>
    public double EncoderBatchWindowMs { get; set; }

    /// <summary>Head dimension of the untrained default engine. Default 64.</summary>
    public int DefaultHeadDimension { get; set; } = 64;

    /// <summary>The encoder settings these options describe.</summary>
    public MiniLmEncoderOptions ToEncoderOptions() => new()
    {
        ModelDirectory = ModelDirectory,
        MaxTokens = MaxTokens,
        Truncation = Truncation,
        IntraOpThreads = IntraOpThreads,
        UseCuda = UseCuda,
        Precision = Precision,
    };
}
