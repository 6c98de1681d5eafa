using Microsoft.Extensions.Options;

namespace Router.Core.State;

/// <summary>
/// The embedded default log: a list in memory, ids from <see cref="TimeProvider"/> in Redis form. Thread-safe.
/// Lost when the process ends (one replica, no Redis); export a checkpoint to keep what was learned.
/// </summary>
public sealed class InProcessLearningEventLog : ILearningEventLog
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];
    private readonly Dictionary<string, (LogId Id, DateTimeOffset Expires)> _seen = new(StringComparer.Ordinal);
    private readonly AppendSignal _signal = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _idempotencyWindow;
    private LogId _last;
    private LogId _trimmedBefore;
    private int _appendsSinceSweep;

    /// <summary>Creates an empty log.</summary>
    public InProcessLearningEventLog(IOptions<LearningStateOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _idempotencyWindow = options.Value.IdempotencyWindow;
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendAsync(string kind, string idempotencyKey, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_seen.TryGetValue(idempotencyKey, out var seen) && seen.Expires > now)
            {
                return ValueTask.FromResult(new AppendResult(AppendStatus.Duplicate, seen.Id));
            }

            // Redis rule: ms from the clock, but never backwards; same ms → next sequence.
            var ms = (ulong)Math.Max(0, now.ToUnixTimeMilliseconds());
            var id = ms > _last.Milliseconds ? new LogId(ms, 0) : _last.Next;
            _last = id;
            _entries.Add(new LogEntry(id, kind, idempotencyKey, payload.ToArray()));
            _seen[idempotencyKey] = (id, now + _idempotencyWindow);
            if (++_appendsSinceSweep >= 4096)
            {
                _appendsSinceSweep = 0;
                foreach (var key in _seen.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList())
                {
                    _seen.Remove(key);
                }
            }

            _signal.Pulse();
            return ValueTask.FromResult(new AppendResult(AppendStatus.Appended, id));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LogEntry>> ReadAfterAsync(LogId after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var start = FirstIndexAfter(after);
            var count = Math.Min(maxCount, _entries.Count - start);
            IReadOnlyList<LogEntry> batch = count <= 0 ? [] : _entries.GetRange(start, count);
            return ValueTask.FromResult(batch);
        }
    }

    /// <inheritdoc />
    public Task WaitForAppendAsync(LogId after, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pulse = _signal.Current;
        lock (_gate)
        {
            if (_last > after)
            {
                return Task.CompletedTask;
            }
        }

        return AppendSignal.WaitAsync(pulse, timeout, _timeProvider, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<LogInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var last = _entries.Count == 0 ? LogId.Zero : _entries[^1].Id;
            return ValueTask.FromResult(new LogInfo(_entries.Count, last, _trimmedBefore));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> TrimBeforeAsync(LogId minId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (minId <= _trimmedBefore)
            {
                return ValueTask.FromResult(0L);
            }

            _trimmedBefore = minId;
            var cut = FirstIndexAtOrAfter(minId);
            _entries.RemoveRange(0, cut);
            return ValueTask.FromResult((long)cut);
        }
    }

    // Binary searches over the id-ordered list (caller holds the lock).
    private int FirstIndexAfter(LogId id) => id == LogId.Zero ? 0 : FirstIndexAtOrAfter(id.Next);

    private int FirstIndexAtOrAfter(LogId id)
    {
        int lo = 0, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].Id < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
