using System.Text.Json.Serialization;
using Router.Core.Decision;

namespace Router.Core.Checkpoint;

/// <summary>
/// The checkpoint file (DESIGN.md, "State"): one UTF-8 JSON document, versioned and self-describing. Large arrays are
/// base64 strings of little-endian IEEE floats, row-major (<c>float64</c>, head weights <c>float32</c>), so a
/// round trip is exact and the file stays compact.
/// </summary>
internal sealed record CheckpointDocument
{
    public const string FormatName = "mixllm-checkpoint";
    /// <summary>v2 adds the optional <see cref="Verifier"/>; v1 files (no verifier) still load.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest version that loads.</summary>
    public const int MinimumVersion = 1;

    public string Format { get; init; } = FormatName;

    public int Version { get; init; } = CurrentVersion;

    public string Description { get; init; } =
        "MixLLM router state. Arrays: base64 little-endian, row-major; A_inverse is (featureDimension)^2 float64; " +
        "features z = [head(encoder(text)); 1]; quality in [0,1]; length model predicts log(1 + completion tokens).";

    public required EncoderDocument Encoder { get; init; }

    public HeadDocument? Head { get; init; }

    public int FeatureDimension { get; init; }

    /// <summary>c_ref in USD: mean predicted cost per training query of the most expensive arm.</summary>
    public double CostReference { get; init; }

    public required MixLlmEngineOptions Options { get; init; }

    public long EventsApplied { get; init; }

    public required IReadOnlyList<ArmDocument> Arms { get; init; }

    /// <summary>The learned answer verifier (v2), or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VerifierDocument? Verifier { get; init; }
}

/// <summary>The answer verifier: feature layout version, arms in one-hot order, and its MLP.</summary>
internal sealed record VerifierDocument
{
    public int FeatureVersion { get; init; }

    public int EmbeddingDimension { get; init; }

    public IReadOnlyList<string>? Arms { get; init; }

    public MlpDocument? Model { get; init; }
}

internal sealed record EncoderDocument(string ModelId, int Dimension);

internal sealed record HeadDocument(
    int InputDimension,
    int OutputDimension,
    [property: JsonConverter(typeof(Base64ArrayConverter<float>))] float[] Weights);

internal sealed record RidgeDocument(
    double Rho,
    long Count,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] AInverse,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] B,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] Weights);

internal sealed record MlpDocument(
    int Inputs,
    int Hidden,
    double LearningRate,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] W1,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] B1,
    [property: JsonConverter(typeof(Base64ArrayConverter<double>))] double[] W2,
    double B2);

internal sealed record ArmDocument
{
    public required string Name { get; init; }

    public double InputPricePerMillion { get; init; }

    public double OutputPricePerMillion { get; init; }

    public double PriorQuality { get; init; }

    public double PriorLogLength { get; init; }

    public required RidgeDocument Quality { get; init; }

    public required RidgeDocument Length { get; init; }

    /// <summary>Present when the arm's quality learner is the MLP.</summary>
    public MlpDocument? QualityMlp { get; init; }

    [JsonConverter(typeof(Base64ArrayConverter<double>))]
    public required double[] FeedbackWeights { get; init; }

    public long FeedbackCount { get; init; }

    public double FeedbackMean { get; init; }

    public double FeedbackM2 { get; init; }

    public long LatencyCount { get; init; }

    public double TtftEwma { get; init; }

    public double TokensPerSecondEwma { get; init; }

    public long LastLatencyUnixMs { get; init; }
}
