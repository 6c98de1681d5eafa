namespace Router.Gateway.Auth;

/// <summary>
/// Per-key spend counters by UTC day and month (the day and month come from the injected <see cref="TimeProvider"/>).
/// <see cref="RedisSpendLedger"/> makes the caps hold across replicas. Thread-safe.
/// </summary>
public interface ISpendLedger
{
    /// <summary>The key's spend so far today and this month.</summary>
    ValueTask<SpendTotals> GetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="usd"/> to today's and this month's counters (atomic per counter).</summary>
    ValueTask AddAsync(string keyId, double usd, CancellationToken cancellationToken);
}
