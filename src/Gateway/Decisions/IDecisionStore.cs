namespace Router.Gateway.Decisions;

/// <summary>
/// Decision records by request id, kept for a TTL so that late feedback (<c>POST /v1/feedback</c>) still lands
/// (DESIGN.md, State). In memory by default; the Redis store replaces it for several replicas. Thread-safe.
/// </summary>
public interface IDecisionStore
{
    /// <summary>Stores (or replaces) a record.</summary>
    ValueTask SaveAsync(DecisionRecord record, CancellationToken cancellationToken);

    /// <summary>The record for <paramref name="requestId"/>; null when unknown or expired.</summary>
    ValueTask<DecisionRecord?> FindAsync(string requestId, CancellationToken cancellationToken);
}
