using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Router.Gateway.Usage.History;

/// <summary>
/// Usage history of this process (no Redis): a dictionary of bucket counters, each behind its own lock. Buckets older
/// than their retention are dropped at most once a minute, on a write.
/// </summary>
public sealed class InMemoryUsageStore(IOptions<UsageOptions> options, TimeProvider time) : IUsageStore
{
    private readonly UsageOptions _options = options.Value;
    private readonly ConcurrentDictionary<(UsageBucketSize Size, UsageDimension Dimension, DateTimeOffset Start, string Group), UsageCounters> _cells = new();
    private long _lastPruneTicks;

    /// <inheritdoc />
    public ValueTask RecordAsync(UsageSample sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        foreach (var (size, dimension) in UsageGroups.Series)
        {
            var cell = _cells.GetOrAdd((size, dimension, UsageGroups.StartOf(sample.Time, size), sample.GroupOf(dimension)), _ => new UsageCounters());
            lock (cell)
            {
                cell.Add(sample);
            }
        }

        PruneIfDue();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UsageBucket>> QueryAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var from = UsageGroups.StartOf(query.From, query.Size);
        var buckets = new List<UsageBucket>();
        foreach (var (key, cell) in _cells)
        {
            if (key.Size != query.Size || key.Dimension != query.GroupBy || key.Start < from || key.Start > query.To
                || (query.Only is not null && !string.Equals(key.Group, query.Only, StringComparison.Ordinal)))
            {
                continue;
            }

            lock (cell)
            {
                buckets.Add(UsageBucket.From(key.Start, key.Dimension, key.Group, cell));
            }
        }

        IReadOnlyList<UsageBucket> ordered = [.. buckets.OrderBy(b => b.Start).ThenBy(b => b.Arm ?? b.Key ?? b.Model, StringComparer.Ordinal)];
        return ValueTask.FromResult(ordered);
    }

    private void PruneIfDue()
    {
        var now = time.GetUtcNow();
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var key in _cells.Keys)
        {
            if (key.Start + UsageGroups.Width(key.Size) + _options.RetentionOf(key.Size) < now)
            {
                _cells.TryRemove(key, out _);
            }
        }
    }
}
