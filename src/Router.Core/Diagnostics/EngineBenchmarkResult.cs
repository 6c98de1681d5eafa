using System.Text.Json.Serialization;

namespace Router.Core.Diagnostics;

/// <summary>Figures of <see cref="EngineBenchmark.Run"/> (the <c>router bench --json</c> document).</summary>
public sealed record EngineBenchmarkResult
{
    /// <summary>Median encoder latency for one short query, milliseconds.</summary>
    [JsonPropertyName("encoder_p50_ms")]
    public double EncoderP50Ms { get; init; }

    /// <summary>99th percentile encoder latency, milliseconds.</summary>
    [JsonPropertyName("encoder_p99_ms")]
    public double EncoderP99Ms { get; init; }

    /// <summary>Median decision latency (head projection + scoring + ranking, no encoder), microseconds.</summary>
    [JsonPropertyName("decision_p50_us")]
    public double DecisionP50Us { get; init; }

    /// <summary>99th percentile decision latency, microseconds.</summary>
    [JsonPropertyName("decision_p99_us")]
    public double DecisionP99Us { get; init; }

    /// <summary>Candidate arms per decision.</summary>
    [JsonPropertyName("arms")]
    public int Arms { get; init; }

    /// <summary>Embedding dimension the decision works in (head output).</summary>
    [JsonPropertyName("dim")]
    public int Dimension { get; init; }

    /// <summary>Encoder output dimension.</summary>
    [JsonPropertyName("encoder_dim")]
    public int EncoderDimension { get; init; }

    /// <summary>Mean model input length of the benchmark queries, tokens (with [CLS] and [SEP]).</summary>
    [JsonPropertyName("tokens")]
    public double Tokens { get; init; }

    /// <summary>Longest benchmark query, tokens.</summary>
    [JsonPropertyName("max_tokens")]
    public int MaxTokens { get; init; }

    /// <summary>Encoder runs measured.</summary>
    [JsonPropertyName("encoder_runs")]
    public int EncoderRuns { get; init; }

    /// <summary>Decisions measured.</summary>
    [JsonPropertyName("decisions")]
    public int Decisions { get; init; }

    /// <summary>Where the encoder ran (CPU or CUDA) and with how many intra-op threads.</summary>
    [JsonPropertyName("device")]
    public string Device { get; init; } = "";
}
