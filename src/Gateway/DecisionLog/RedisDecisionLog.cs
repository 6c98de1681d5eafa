using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.DecisionLog;

/// <summary>
/// <see cref="IDecisionLog"/> as one Redis stream shared by every replica, <c>&lt;prefix&gt;:decision-log</c>, field
/// <c>r</c> = the record's JSON. The stream id's millisecond part is the append time, so time ranges are id ranges.
/// Each append trims approximately to <see cref="DecisionLogOptions.MaxStreamEntries"/> (<c>XADD … MAXLEN ~</c>);
/// every 1,000th also drops entries older than <see cref="DecisionLogOptions.MaxAge"/> (<c>XTRIM MINID ~</c>).
/// An append returns once Redis acknowledged it (with AOF <c>appendfsync always</c>, it survives a Redis kill).
/// Thread-safe.
/// </summary>
public sealed class RedisDecisionLog(IConnectionMultiplexer redis, IOptions<RedisStateOptions> redisOptions, IOptions<DecisionLogOptions> options, TimeProvider time) : IDecisionLog
{
    private const int Page = 1000;
    private static readonly TimeSpan AppendLag = TimeSpan.FromMinutes(15);
    private readonly RedisKey _key = redisOptions.Value.KeyPrefix + ":decision-log";
    private readonly DecisionLogOptions _options = options.Value;
    private long _appends;

    /// <inheritdoc />
    public async ValueTask AppendAsync(DecisionLogRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var db = redis.GetDatabase();
        await db.StreamAddAsync(_key, "r", DecisionLogJson.Serialize(record), maxLength: _options.MaxStreamEntries, useApproximateMaxLength: true);
        if (Interlocked.Increment(ref _appends) % 1000 == 1)
        {
            var oldest = time.GetUtcNow() - _options.MaxAge;
            await db.ExecuteAsync("XTRIM", _key, "MINID", "~", oldest.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DecisionLogRecord> ReadAsync(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        RedisValue start = from is { } f ? Ms(f) + "-0" : "-";
        // Decisions are appended when their request completes, after their decision time: read past `to` by the
        // longest a request may take, then filter on the record's own time.
        RedisValue end = to is { } t ? "(" + Ms(t + AppendLag) + "-0" : "+";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await db.StreamRangeAsync(_key, start, end, Page, Order.Ascending);
            foreach (var entry in page)
            {
                if (Parse(entry) is { } record && (from is null || record.Time >= from) && (to is null || record.Time < to))
                {
                    yield return record;
                }
            }

            if (page.Length < Page)
            {
                yield break;
            }

            start = "(" + page[^1].Id;
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DecisionLogRecord>> RecentAsync(int max, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var result = new List<DecisionLogRecord>();
        RedisValue end = "+";
        while (result.Count < max)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await db.StreamRangeAsync(_key, "-", end, Math.Min(Page, max - result.Count), Order.Descending);
            result.AddRange(page.Select(Parse).OfType<DecisionLogRecord>());
            if (page.Length < Page)
            {
                break;
            }

            end = "(" + page[^1].Id;
        }

        return result;
    }

    private static string Ms(DateTimeOffset time) => Math.Max(0, time.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);

    private static DecisionLogRecord? Parse(StreamEntry entry)
    {
        var value = entry["r"];
        return value.IsNull ? null : DecisionLogJson.TryParse((byte[])value!);
    }
}
