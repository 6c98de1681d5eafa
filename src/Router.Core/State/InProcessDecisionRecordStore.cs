using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Router.Core.State;

/// <summary>
/// Decision records in memory with expiry by <see cref="TimeProvider"/> (so tests can move time). Expired
/// records are dropped on read and by a sweep every 1024 writes, which bounds memory to about one TTL of traffic.
/// Thread-safe.
/// </summary>
public sealed class InProcessDecisionRecordStore : IDecisionRecordStore
{
    private readonly ConcurrentDictionary<string, (byte[] Record, DateTimeOffset Expires)> _records = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _defaultTtl;
    private int _writesSinceSweep;

    /// <summary>Creates an empty store.</summary>
    public InProcessDecisionRecordStore(IOptions<LearningStateOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _defaultTtl = options.Value.DecisionRecordTtl;
    }

    /// <summary>Records currently held (expired ones not yet swept included).</summary>
    public int Count => _records.Count;

    /// <inheritdoc />
    public ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        SetAsync(requestId, record, _defaultTtl, cancellationToken);

    /// <inheritdoc />
    public ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        _records[requestId] = (record.ToArray(), now + ttl);
        if (Interlocked.Increment(ref _writesSinceSweep) >= 1024)
        {
            Interlocked.Exchange(ref _writesSinceSweep, 0);
            Sweep(now);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_records.TryGetValue(requestId, out var entry))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        if (entry.Expires <= _timeProvider.GetUtcNow())
        {
            _records.TryRemove(new KeyValuePair<string, (byte[], DateTimeOffset)>(requestId, entry));
            return ValueTask.FromResult<byte[]?>(null);
        }

        return ValueTask.FromResult<byte[]?>(entry.Record);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var pair in _records)
        {
            if (pair.Value.Expires <= now)
            {
                _records.TryRemove(pair);
            }
        }
    }
}
