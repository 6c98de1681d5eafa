namespace Router.Core.State;

/// <summary>
/// Decision records (request id → the engine's serialised record: arm, embedding, propensity, time, key), kept
/// for <see cref="LearningStateOptions.DecisionRecordTtl"/> (default 24 h) so that feedback for a request may
/// arrive late and at any replica. Records are opaque bytes here. Thread-safe.
/// </summary>
public interface IDecisionRecordStore
{
    /// <summary>Stores (or replaces) the record for <paramref name="requestId"/> with the default TTL.</summary>
    ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) the record for <paramref name="requestId"/>; it expires after <paramref name="ttl"/>.</summary>
    ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The record, or null when unknown or expired.</summary>
    ValueTask<byte[]?> GetAsync(string requestId, CancellationToken cancellationToken);
}
