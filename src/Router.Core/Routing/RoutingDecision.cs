namespace Router.Core.Routing;

/// <summary>The router's answer: the arms in order of preference (the first is chosen, the rest are fallbacks).</summary>
public sealed record RoutingDecision
{
    /// <summary>The request this decision is for.</summary>
    public required string RequestId { get; init; }

    /// <summary>Eligible arms, best first. Never empty.</summary>
    public required IReadOnlyList<string> RankedArms { get; init; }

    /// <summary>The chosen arm.</summary>
    public string ChosenArm => RankedArms[0];

    /// <summary>Probability with which the chosen arm was drawn (1 when the choice was deterministic).</summary>
    public double Propensity { get; init; } = 1.0;

    /// <summary>Which policy decided (e.g. <c>cheapest</c>, <c>mixllm</c>).</summary>
    public required string Policy { get; init; }

    /// <summary>Per-arm explanation, in candidate order.</summary>
    public IReadOnlyList<ArmScore> Scores { get; init; } = [];

    /// <summary>The query embedding the decision used; empty when the policy needs none.</summary>
    public ReadOnlyMemory<float> Embedding { get; init; }

    /// <summary>λ the scores were computed with (null when the policy has none, e.g. <c>pinned</c>, <c>cheapest</c>).</summary>
    public double? Lambda { get; init; }

    /// <summary>SHA-256 (hex, first 16 bytes) of the query text the router saw; null when not computed.</summary>
    public string? PromptHash { get; init; }

    /// <summary>The query text, only when the decision log stores prompts (<c>Router:DecisionLog:StorePrompts</c>).</summary>
    public string? PromptText { get; init; }

    /// <summary>The user key the decision was personalised for (hashed when users are hashed); null when none.
    /// Feedback for the decision updates this user's personal terms.</summary>
    public string? UserId { get; init; }
}
