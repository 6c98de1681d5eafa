using Router.Core.Arms;

namespace Router.Core.Routing;

/// <summary>What the gateway asks the router: which of these candidate arms should answer this query?</summary>
public sealed record RoutingRequest
{
    /// <summary>The gateway's request id (<c>x-router-request-id</c>); keys the decision record for feedback.</summary>
    public required string RequestId { get; init; }

    /// <summary>The text the router sees (DESIGN.md step 2: last user turn, system text as context).</summary>
    public required string QueryText { get; init; }

    /// <summary>Prompt tokens of the whole request, for the cost estimate. 0 when unknown.</summary>
    public int PromptTokens { get; init; }

    /// <summary>The arms the router may choose from: enabled, healthy and allowed for this caller.</summary>
    public required IReadOnlyList<ArmDefinition> Candidates { get; init; }

    /// <summary>The effective policy (request over key over deployment).</summary>
    public RoutingPolicy Policy { get; init; } = RoutingPolicy.Default;

    /// <summary>The caller's API key id, when keys are in use.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>The user key for personalisation (hashed when <c>Router:Privacy:HashUsers</c>); null when none.</summary>
    public string? UserId { get; init; }

    /// <summary>
    /// Per-candidate personal terms (candidate order, quality units; the score adds λ times each,
    /// docs/personalisation.md); empty: none.
    /// </summary>
    public ReadOnlyMemory<double> PersonalTerms { get; init; }
}
