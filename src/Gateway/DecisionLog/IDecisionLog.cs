namespace Router.Gateway.DecisionLog;

/// <summary>
/// The durable, bounded decision log. <see cref="AppendAsync"/> returns once the record is durable (flushed to the
/// file system, or acknowledged by Redis): a record acknowledged is not lost when the process or Redis is killed
/// (Redis with AOF). Thread-safe.
/// </summary>
public interface IDecisionLog
{
    /// <summary>Appends a record.</summary>
    ValueTask AppendAsync(DecisionLogRecord record, CancellationToken cancellationToken);

    /// <summary>Records with <see cref="DecisionLogRecord.Time"/> in [<paramref name="from"/>, <paramref name="to"/>), oldest first (null: unbounded).</summary>
    IAsyncEnumerable<DecisionLogRecord> ReadAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> of the newest records, newest first.</summary>
    ValueTask<IReadOnlyList<DecisionLogRecord>> RecentAsync(int max, CancellationToken cancellationToken);
}
