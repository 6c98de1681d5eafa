using System.Collections.Concurrent;

namespace Router.Gateway.Auth;

/// <summary>In-process spend counters (single replica). Old buckets are dropped when a new day begins.</summary>
public sealed class InMemorySpendLedger(TimeProvider time) : ISpendLedger
{
    private readonly ConcurrentDictionary<(string Key, string Bucket), double> _spend = new();
    private string _today = "";

    /// <inheritdoc />
    public ValueTask<SpendTotals> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        var (day, month) = SpendPeriods.At(time.GetUtcNow());
        return ValueTask.FromResult(new SpendTotals(
            _spend.GetValueOrDefault((keyId, "d" + day)),
            _spend.GetValueOrDefault((keyId, "m" + month))));
    }

    /// <inheritdoc />
    public ValueTask AddAsync(string keyId, double usd, CancellationToken cancellationToken)
    {
        var (day, month) = SpendPeriods.At(time.GetUtcNow());
        if (!string.Equals(Volatile.Read(ref _today), day, StringComparison.Ordinal))
        {
            Volatile.Write(ref _today, day);
            foreach (var stale in _spend.Keys.Where(k => k.Bucket[0] == 'd' && k.Bucket != "d" + day || k.Bucket[0] == 'm' && k.Bucket != "m" + month))
            {
                _spend.TryRemove(stale, out _);
            }
        }

        _spend.AddOrUpdate((keyId, "d" + day), usd, (_, v) => v + usd);
        _spend.AddOrUpdate((keyId, "m" + month), usd, (_, v) => v + usd);
        return ValueTask.CompletedTask;
    }
}
