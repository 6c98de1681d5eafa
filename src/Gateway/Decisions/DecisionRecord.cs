using Router.Core.Routing;

namespace Router.Gateway.Decisions;

/// <summary>What feedback needs to find later: the decision taken for a request, and when.</summary>
/// <param name="RequestId">The gateway's request id.</param>
/// <param name="Decision">The decision (arms, propensity, scores, embedding).</param>
/// <param name="DecidedAt">When the decision was taken.</param>
/// <param name="ApiKeyId">The caller's key id, when keys are in use.</param>
public sealed record DecisionRecord(string RequestId, RoutingDecision Decision, DateTimeOffset DecidedAt, string? ApiKeyId = null);
