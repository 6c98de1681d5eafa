using System.Security.Cryptography;
using System.Text.Json;
using Router.Core.Checkpoint;
using Router.Core.Embedding;
using Router.Core.Prediction;

namespace Router.Core.Decision;

public sealed partial class MixLlmEngine
{
    /// <summary>
    /// Writes the checkpoint (format <c>mixllm-checkpoint</c> v1: encoder identity, head, options, c_ref, and per arm
    /// the ridge A⁻¹, b, w for quality and length, the feedback head and the latency statistics). Atomic: written to
    /// a temporary file, then moved.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, SerializeState());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, or an unsupported version, or inconsistent shapes.</exception>
    public static MixLlmEngine Load(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Deserialize(File.ReadAllBytes(path), timeProvider);
    }

    /// <summary>The checkpoint bytes of the current state (UTF-8 JSON, deterministic: arms sorted by name).</summary>
    public byte[] SerializeState()
    {
        var arms = Volatile.Read(ref _arms);
        var document = new CheckpointDocument
        {
            Encoder = new EncoderDocument(EncoderId, InputDimension),
            Head = Head is null ? null : new HeadDocument(Head.InputDimension, Head.OutputDimension, Head.Weights.ToArray()),
            FeatureDimension = FeatureDimension,
            CostReference = CostReference,
            Options = Options,
            EventsApplied = EventsApplied,
            Arms = [.. arms.Values.OrderBy(a => a.Name, StringComparer.Ordinal).Select(ToDocument)],
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, CheckpointJsonContext.Default.CheckpointDocument);
    }

    /// <summary>SHA-256 (hex) of <see cref="SerializeState"/>: equal on every replica that folded the same events.</summary>
    public string StateHash() => Convert.ToHexStringLower(SHA256.HashData(SerializeState()));

    /// <summary>Parses checkpoint bytes.</summary>
    public static MixLlmEngine Deserialize(ReadOnlySpan<byte> utf8Json, TimeProvider? timeProvider = null)
    {
        CheckpointDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, CheckpointJsonContext.Default.CheckpointDocument);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Not a MixLLM checkpoint: {ex.Message}", ex);
        }

        if (document is null || document.Format != CheckpointDocument.FormatName)
        {
            throw new InvalidDataException("Not a MixLLM checkpoint (format field).");
        }

        if (document.Version != CheckpointDocument.CurrentVersion)
        {
            throw new InvalidDataException($"Checkpoint version {document.Version} is not supported (expected {CheckpointDocument.CurrentVersion}).");
        }

        var head = document.Head is null ? null : new ProjectionHead(document.Head.InputDimension, document.Head.OutputDimension, document.Head.Weights);
        var features = (head?.OutputDimension ?? document.Encoder.Dimension) + 1;
        if (features != document.FeatureDimension)
        {
            throw new InvalidDataException("Checkpoint feature dimension does not match its head/encoder.");
        }

        try
        {
            var arms = document.Arms.Select(a => FromDocument(a, features)).ToArray();
            return new MixLlmEngine(document.Encoder.ModelId, document.Encoder.Dimension, head, document.CostReference,
                document.Options, arms, document.EventsApplied, timeProvider);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"Inconsistent checkpoint: {ex.Message}", ex);
        }
    }

    private static ArmDocument ToDocument(ArmModel arm) => new()
    {
        Name = arm.Name,
        InputPricePerMillion = arm.InputPricePerMillion,
        OutputPricePerMillion = arm.OutputPricePerMillion,
        PriorQuality = arm.PriorQuality,
        PriorLogLength = arm.PriorLogLength,
        Quality = ToDocument(arm.Quality),
        Length = ToDocument(arm.Length),
        QualityMlp = arm.QualityMlp is { } mlp ? new MlpDocument(mlp.Inputs, mlp.Hidden, mlp.LearningRate, mlp.W1.ToArray(), mlp.B1.ToArray(), mlp.W2.ToArray(), mlp.B2) : null,
        FeedbackWeights = arm.FeedbackWeights,
        FeedbackCount = arm.FeedbackCount,
        FeedbackMean = arm.FeedbackMean,
        FeedbackM2 = arm.FeedbackM2,
        LatencyCount = arm.LatencyCount,
        TtftEwma = arm.TtftEwma,
        TokensPerSecondEwma = arm.TokensPerSecondEwma,
        LastLatencyUnixMs = arm.LastLatencyUnixMs,
    };

    private static RidgeDocument ToDocument(RidgeRegression ridge) =>
        new(ridge.Rho, ridge.Count, ridge.AInverse.ToArray(), ridge.B.ToArray(), ridge.Weights.ToArray());

    private static ArmModel FromDocument(ArmDocument arm, int features)
    {
        if (arm.FeedbackWeights.Length != features)
        {
            throw new ArgumentException($"Arm {arm.Name}: feedback weights have the wrong shape.");
        }

        return new ArmModel
        {
            Name = arm.Name,
            InputPricePerMillion = arm.InputPricePerMillion,
            OutputPricePerMillion = arm.OutputPricePerMillion,
            PriorQuality = arm.PriorQuality,
            PriorLogLength = arm.PriorLogLength,
            Quality = RidgeRegression.FromState(features, arm.Quality.Rho, arm.Quality.AInverse, arm.Quality.B, arm.Quality.Count, arm.Quality.Weights),
            Length = RidgeRegression.FromState(features, arm.Length.Rho, arm.Length.AInverse, arm.Length.B, arm.Length.Count, arm.Length.Weights),
            QualityMlp = arm.QualityMlp is { } mlp
                ? (mlp.Inputs == features - 1 ? new MlpRegressor(mlp.Inputs, mlp.Hidden, mlp.W1, mlp.B1, mlp.W2, mlp.B2, mlp.LearningRate) : throw new ArgumentException($"Arm {arm.Name}: MLP input size differs from the embedding."))
                : null,
            FeedbackWeights = arm.FeedbackWeights,
            FeedbackCount = arm.FeedbackCount,
            FeedbackMean = arm.FeedbackMean,
            FeedbackM2 = arm.FeedbackM2,
            LatencyCount = arm.LatencyCount,
            TtftEwma = arm.TtftEwma,
            TokensPerSecondEwma = arm.TokensPerSecondEwma,
            LastLatencyUnixMs = arm.LastLatencyUnixMs,
        };
    }
}
