using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;

namespace Router.Gateway.Decisions;

/// <summary>
/// <see cref="IDecisionStore"/> in process memory with a TTL (<see cref="GatewayOptions.DecisionRecordTtl"/>).
/// Expired records are dropped on read and swept at most once a minute on write, so memory stays bounded by the
/// request rate × TTL without a timer.
/// </summary>
public sealed class InMemoryDecisionStore : IDecisionStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DecisionRecord> _records = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private long _nextSweepTicks;

    /// <summary>Creates the store.</summary>
    public InMemoryDecisionStore(IOptions<GatewayOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _ttl = options.Value.DecisionRecordTtl;
        _nextSweepTicks = time.GetUtcNow().Add(SweepInterval).UtcTicks;
    }

    /// <summary>Number of records held (expired ones included until swept).</summary>
    public int Count => _records.Count;

    /// <inheritdoc />
    public ValueTask SaveAsync(DecisionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records[record.RequestId] = record;
        var now = _time.GetUtcNow();
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= next && Interlocked.CompareExchange(ref _nextSweepTicks, now.Add(SweepInterval).UtcTicks, next) == next)
        {
            foreach (var (id, r) in _records)
            {
                if (now - r.DecidedAt > _ttl)
                {
                    _records.TryRemove(id, out _);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<DecisionRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        if (_records.TryGetValue(requestId, out var record))
        {
            if (_time.GetUtcNow() - record.DecidedAt <= _ttl)
            {
                return ValueTask.FromResult<DecisionRecord?>(record);
            }

            _records.TryRemove(requestId, out _);
        }

        return ValueTask.FromResult<DecisionRecord?>(null);
    }
}
