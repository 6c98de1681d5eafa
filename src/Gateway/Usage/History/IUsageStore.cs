namespace Router.Gateway.Usage.History;

/// <summary>
/// Usage over time: every completed request counted into 1-minute, 1-hour and 1-day buckets by arm, key and model.
/// <see cref="RedisUsageStore"/> sums all replicas (HINCRBY into shared hashes); <see cref="InMemoryUsageStore"/>
/// counts this process only. Thread-safe.
/// </summary>
public interface IUsageStore
{
    /// <summary>Counts one request in every series.</summary>
    ValueTask RecordAsync(UsageSample sample, CancellationToken cancellationToken);

    /// <summary>The buckets of the query, ordered by start then group.</summary>
    ValueTask<IReadOnlyList<UsageBucket>> QueryAsync(UsageQuery query, CancellationToken cancellationToken);
}
