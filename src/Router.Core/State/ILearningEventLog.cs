namespace Router.Core.State;

/// <summary>
/// The append-only log of learning events (DESIGN.md, "State: an event log and a fold over it"). Every replica
/// folds the same log in the same order, so all converge on the same learned state.
/// Implementations are thread-safe.
/// </summary>
/// <remarks>
/// Durability: <see cref="RedisLearningEventLog"/> acknowledges an append once Redis executed it. That survives a
/// Redis restart only with AOF on: <c>appendonly yes</c> and <c>appendfsync always</c> (nothing acknowledged is
/// lost) or <c>appendfsync everysec</c> (up to about one second of acknowledged appends can be lost on a power cut
/// or kill -9 of Redis). <see cref="InProcessLearningEventLog"/> lives and dies with the process.
/// </remarks>
public interface ILearningEventLog
{
    /// <summary>
    /// Appends one event, deduplicated by <paramref name="idempotencyKey"/>: while the key is remembered
    /// (<see cref="LearningStateOptions.IdempotencyWindow"/>), a second append with it returns
    /// <see cref="AppendStatus.Duplicate"/> and the original id and stores nothing. Returns only once the entry is
    /// stored, so the caller may answer 202 when <see cref="AppendResult.IsAccepted"/>.
    /// </summary>
    ValueTask<AppendResult> AppendAsync(string kind, string idempotencyKey, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> entries with ids strictly after <paramref name="after"/>, in id order.</summary>
    ValueTask<IReadOnlyList<LogEntry>> ReadAfterAsync(LogId after, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Returns when an entry after <paramref name="after"/> may exist, or after <paramref name="timeout"/> at the
    /// latest (a missed wake-up costs at most one timeout, never an entry: callers re-read).
    /// </summary>
    Task WaitForAppendAsync(LogId after, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Length, newest id and trim point.</summary>
    ValueTask<LogInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary>Deletes entries with ids below <paramref name="minId"/> (XTRIM MINID, exact). Returns how many went.</summary>
    ValueTask<long> TrimBeforeAsync(LogId minId, CancellationToken cancellationToken);
}
