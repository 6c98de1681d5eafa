using System.Security.Cryptography;
using System.Text.Json;
using Router.Core.Checkpoint;
using Router.Core.Embedding;
using Router.Core.Prediction;

namespace Router.Core.Decision;

public sealed partial class MixLlmEngine
{
    /// <summary>
    /// Writes the checkpoint (format <c>mixllm-checkpoint</c> v2: encoder identity, head, options, c_ref, and per arm
    /// the ridge A⁻¹, b, w for quality and length, the feedback head and the latency statistics; v2 adds the optional
    /// answer verifier). Atomic: written to
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
    /// <exception cref="InvalidDataException">Not a checkpoint, or an unsupported version, or inconsistent shapes, or a
    /// NaN/infinite number or an array of the wrong length (the message names the arm and field).</exception>
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
            Verifier = ToDocument(Verifier),
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

        if (document.Version is < CheckpointDocument.MinimumVersion or > CheckpointDocument.CurrentVersion)
        {
            throw new InvalidDataException($"Checkpoint version {document.Version} is not supported (expected {CheckpointDocument.MinimumVersion} to {CheckpointDocument.CurrentVersion}).");
        }

        Validate(document);
        var head = document.Head is null ? null : new ProjectionHead(document.Head.InputDimension, document.Head.OutputDimension, document.Head.Weights);
        var features = (head?.OutputDimension ?? document.Encoder.Dimension) + 1;
        if (features != document.FeatureDimension)
        {
            throw new InvalidDataException("Checkpoint feature dimension does not match its head/encoder.");
        }

        try
        {
            var arms = document.Arms.Select(a => FromDocument(a, features)).ToArray();
            var verifier = FromDocument(document.Verifier, document.Encoder.Dimension);
            var engine = new MixLlmEngine(document.Encoder.ModelId, document.Encoder.Dimension, head, document.CostReference,
                document.Options, arms, document.EventsApplied, timeProvider);
            engine.AttachVerifier(verifier);
            return engine;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"Inconsistent checkpoint: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Checks every number and array length of the document before any state is built, so that a hand-edited or
    /// truncated checkpoint is refused with the arm and field at fault rather than loaded: a NaN in one arm's A⁻¹ made
    /// its bonus, and so every decision that ranked it, NaN; an array of the wrong length failed later, deep in the
    /// maths, or (the head) escaped as an ArgumentException.
    /// </summary>
    private static void Validate(CheckpointDocument document)
    {
        if (document.Encoder is null || document.Arms is null || document.Options is null)
        {
            throw new InvalidDataException("Checkpoint: encoder, options and arms are required.");
        }

        CheckFinite(document.CostReference, "checkpoint", "costReference");
        var features = document.FeatureDimension;
        if (document.Head is { } head)
        {
            if (head.InputDimension < 1 || head.OutputDimension < 1)
            {
                throw new InvalidDataException("Checkpoint head: dimensions must be positive.");
            }

            CheckArray(head.Weights, (long)head.InputDimension * head.OutputDimension, "head", "weights");
        }

        if (features < 2)
        {
            throw new InvalidDataException($"Checkpoint: featureDimension {features} is too small.");
        }

        var square = (long)features * features;
        foreach (var arm in document.Arms)
        {
            var name = arm?.Name;
            if (arm is null || string.IsNullOrEmpty(name))
            {
                throw new InvalidDataException("Checkpoint: an arm has no name.");
            }

            var owner = $"arm '{name}'";
            CheckPrice(arm.InputPricePerMillion, owner, "inputPricePerMillion");
            CheckPrice(arm.OutputPricePerMillion, owner, "outputPricePerMillion");
            CheckFinite(arm.PriorQuality, owner, "priorQuality");
            CheckFinite(arm.PriorLogLength, owner, "priorLogLength");
            CheckFinite(arm.FeedbackMean, owner, "feedbackMean");
            CheckFinite(arm.FeedbackM2, owner, "feedbackM2");
            CheckFinite(arm.TtftEwma, owner, "ttftEwma");
            CheckFinite(arm.TokensPerSecondEwma, owner, "tokensPerSecondEwma");
            CheckArray(arm.FeedbackWeights, features, owner, "feedbackWeights");
            foreach (var (ridge, field) in new[] { (arm.Quality, "quality"), (arm.Length, "length") })
            {
                if (ridge is null)
                {
                    throw new InvalidDataException($"Checkpoint {owner}: {field} is missing.");
                }

                CheckFinite(ridge.Rho, owner, $"{field}.rho");
                CheckArray(ridge.AInverse, square, owner, $"{field}.aInverse");
                CheckArray(ridge.B, features, owner, $"{field}.b");
                CheckArray(ridge.Weights, features, owner, $"{field}.weights");
            }

            if (arm.QualityMlp is { } mlp)
            {
                if (mlp.Inputs != features - 1 || mlp.Hidden < 1)
                {
                    throw new InvalidDataException($"Checkpoint {owner}: qualityMlp has {mlp.Inputs} inputs and {mlp.Hidden} hidden units; expected {features - 1} inputs.");
                }

                CheckFinite(mlp.LearningRate, owner, "qualityMlp.learningRate");
                CheckFinite(mlp.B2, owner, "qualityMlp.b2");
                CheckArray(mlp.W1, (long)mlp.Inputs * mlp.Hidden, owner, "qualityMlp.w1");
                CheckArray(mlp.B1, mlp.Hidden, owner, "qualityMlp.b1");
                CheckArray(mlp.W2, mlp.Hidden, owner, "qualityMlp.w2");
            }
        }
    }

    private static void CheckPrice(double value, string owner, string field)
    {
        CheckFinite(value, owner, field);
        if (value < 0)
        {
            throw new InvalidDataException($"Checkpoint {owner}: {field} is negative ({value}).");
        }
    }

    private static void CheckFinite(double value, string owner, string field)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidDataException($"Checkpoint {owner}: {field} is not finite ({value}).");
        }
    }

    private static void CheckArray<T>(T[]? values, long expectedLength, string owner, string field)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (values is null || values.Length != expectedLength)
        {
            throw new InvalidDataException($"Checkpoint {owner}: {field} has {values?.Length ?? 0} values; expected {expectedLength}.");
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                throw new InvalidDataException($"Checkpoint {owner}: {field}[{i}] is not finite ({values[i]}).");
            }
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
