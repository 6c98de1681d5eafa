namespace Router.Core.Learning;

/// <summary>
/// Thumbs up or down for the answer of the chosen arm: updates the feedback head <c>f^df</c> by policy gradient
/// (DESIGN.md step 10).
/// </summary>
public sealed record BinaryFeedback : LearningEvent
{
    /// <summary>The gateway request the thumbs are for.</summary>
    public string? RequestId { get; init; }

    /// <summary>The decision's embedding.</summary>
    public required float[] Embedding { get; init; }

    /// <summary>True for thumbs up (reward +1), false for down (−1).</summary>
    public required bool Up { get; init; }

    /// <summary>The chosen arm's propensity when it was drawn; weights the gradient by 1/propensity (clipped). Null: 1.
    /// Must be in (0, 1]; anything else (NaN, ±∞, 0, negative, &gt; 1) is refused by <c>MixLlmEngine.Apply</c>.</summary>
    public double? Propensity { get; init; }

    /// <summary>The arms the policy chose among. Null: every arm the state knows.</summary>
    public IReadOnlyList<string>? Candidates { get; init; }

    /// <summary>Who rated (hashed when <c>Router:Privacy:HashUsers</c>); null: no personal update.</summary>
    public string? User { get; init; }
}
