using System.Globalization;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.Usage.History;

/// <summary>
/// Usage history shared by every replica. One hash per bucket and group,
/// <c>{tag}:usage:{1m|1h|1d}:{arm|key|model}:{startUnixSeconds}:{group}</c>, with fields <c>r</c> (requests),
/// <c>e</c> (errors), <c>i</c>/<c>o</c> (tokens), <c>c</c> (USD) and <c>l{bin}</c> (the <see cref="LatencySketch"/>
/// counts); one sorted set per series indexes the hashes by start. A request updates all nine series in one Lua
/// script with HINCRBY/HINCRBYFLOAT, so concurrent replicas never lose a count, and the sketches merge by addition.
/// Hashes expire after their retention (<see cref="UsageOptions"/>); the index drops older members as it is written.
/// </summary>
public sealed class RedisUsageStore : IUsageStore
{
    // KEYS: per series k, KEYS[2k-1] = the bucket's hash, KEYS[2k] = the series index.
    // ARGV[1..5]: errors, input tokens, output tokens, cost, latency bin field; then per series k (at 5 + 4(k-1)):
    // index member, bucket start (score), TTL seconds, oldest start kept.
    private const string RecordScript = """
        local n = #KEYS / 2
        for k = 1, n do
          local h = KEYS[2 * k - 1]
          local z = KEYS[2 * k]
          local a = 5 + (k - 1) * 4
          redis.call('HINCRBY', h, 'r', 1)
          redis.call('HINCRBY', h, 'e', ARGV[1])
          redis.call('HINCRBY', h, 'i', ARGV[2])
          redis.call('HINCRBY', h, 'o', ARGV[3])
          redis.call('HINCRBYFLOAT', h, 'c', ARGV[4])
          redis.call('HINCRBY', h, ARGV[5], 1)
          redis.call('EXPIRE', h, ARGV[a + 3])
          redis.call('ZADD', z, ARGV[a + 2], ARGV[a + 1])
          redis.call('ZREMRANGEBYSCORE', z, '-inf', '(' .. ARGV[a + 4])
          redis.call('EXPIRE', z, ARGV[a + 3])
        end
        return n
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly UsageOptions _options;
    private readonly string _prefix;

    /// <summary>Creates the store on the shared multiplexer.</summary>
    public RedisUsageStore(IConnectionMultiplexer redis, IOptions<RedisStateOptions> state, IOptions<UsageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options.Value;
        _prefix = state.Value.KeyTag + ":usage:";
    }

    /// <inheritdoc />
    public async ValueTask RecordAsync(UsageSample sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var keys = new RedisKey[UsageGroups.Series.Count * 2];
        var values = new List<RedisValue>(5 + (UsageGroups.Series.Count * 4))
        {
            sample.IsError ? 1 : 0,
            sample.InputTokens,
            sample.OutputTokens,
            sample.CostUsd.ToString("R", CultureInfo.InvariantCulture),
            "l" + LatencySketch.BinOf(sample.LatencyMs).ToString(CultureInfo.InvariantCulture),
        };
        for (var k = 0; k < UsageGroups.Series.Count; k++)
        {
            var (size, dimension) = UsageGroups.Series[k];
            var start = UsageGroups.StartOf(sample.Time, size).ToUnixTimeSeconds();
            var member = Member(start, sample.GroupOf(dimension));
            var width = UsageGroups.Width(size);
            var retention = _options.RetentionOf(size);
            keys[2 * k] = SeriesKey(size, dimension) + ":" + member;
            keys[(2 * k) + 1] = SeriesKey(size, dimension);
            values.Add(member);
            values.Add(start);
            values.Add((long)(retention + width).TotalSeconds);
            values.Add((sample.Time - retention - width).ToUnixTimeSeconds());
        }

        await _redis.GetDatabase().ScriptEvaluateAsync(RecordScript, keys, [.. values]).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<UsageBucket>> QueryAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var db = _redis.GetDatabase();
        var series = SeriesKey(query.Size, query.GroupBy);
        var from = UsageGroups.StartOf(query.From, query.Size).ToUnixTimeSeconds();
        var members = await db.SortedSetRangeByScoreAsync(series, from, query.To.ToUnixTimeSeconds()).WaitAsync(cancellationToken);
        var cells = new List<(long Start, string Group, Task<HashEntry[]> Fields)>(members.Length);
        foreach (var member in members)
        {
            var text = member.ToString();
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var group = text[(colon + 1)..];
            if (colon > 0 && (query.Only is null || string.Equals(group, query.Only, StringComparison.Ordinal)))
            {
                cells.Add((long.Parse(text.AsSpan(0, colon), CultureInfo.InvariantCulture), group, db.HashGetAllAsync(series + ":" + text)));
            }
        }

        var buckets = new List<UsageBucket>(cells.Count);
        foreach (var (start, group, fields) in cells)
        {
            var entries = await fields.WaitAsync(cancellationToken);
            if (entries.Length > 0)
            {
                buckets.Add(UsageBucket.From(DateTimeOffset.FromUnixTimeSeconds(start), query.GroupBy, group, Counters(entries)));
            }
        }

        return [.. buckets.OrderBy(b => b.Start).ThenBy(b => b.Arm ?? b.Key ?? b.Model, StringComparer.Ordinal)];
    }

    private static UsageCounters Counters(HashEntry[] entries)
    {
        var counters = new UsageCounters();
        foreach (var entry in entries)
        {
            var name = entry.Name.ToString();
            switch (name)
            {
                case "r": counters.Requests = (long)entry.Value; break;
                case "e": counters.Errors = (long)entry.Value; break;
                case "i": counters.InputTokens = (long)entry.Value; break;
                case "o": counters.OutputTokens = (long)entry.Value; break;
                case "c": counters.CostUsd = double.Parse(entry.Value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture); break;
                default:
                    if (name.StartsWith('l') && int.TryParse(name.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bin))
                    {
                        counters.Latency.AddBin(bin, (long)entry.Value);
                    }

                    break;
            }
        }

        return counters;
    }

    private string SeriesKey(UsageBucketSize size, UsageDimension dimension) =>
        _prefix + UsageGroups.Name(size) + ":" + dimension.ToString().ToLowerInvariant();

    private static string Member(long start, string group) => start.ToString(CultureInfo.InvariantCulture) + ":" + group;
}
