namespace Router.Training.Data;

/// <summary>
/// What one arm did on one query, as recorded in a data set: its quality score in [0, 1], its cost, its token
/// counts and (where the source has them) latency and the response text.
/// </summary>
public sealed record ArmOutcome
{
    /// <summary>Quality score in [0, 1] (RouterBench: 0/1 correctness; RouterDC: a score; RouteLLM: True/False).</summary>
    public required double Quality { get; init; }

    /// <summary>USD for this call; <see langword="null"/> when the source has no cost (priced later from the arms file).</summary>
    public double? CostUsd { get; init; }

    /// <summary>Prompt tokens (counted with the cl100k tokenizer when the source has no count).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Completion tokens; <see langword="null"/> when neither a count nor the response is known.</summary>
    public int? CompletionTokens { get; init; }

    /// <summary>End-to-end latency in seconds when recorded.</summary>
    public double? LatencySeconds { get; init; }

    /// <summary>The recorded response text, when the source has one.</summary>
    public string? Response { get; init; }
}
