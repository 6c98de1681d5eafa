using System.Globalization;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.Auth;

/// <summary>
/// Spend counters in Redis: <c>{prefix}:spend:{key}:d:{yyyyMMdd}</c> and <c>…:m:{yyyyMM}</c>, both raised in one Lua
/// script with INCRBYFLOAT (atomic, so concurrent replicas never lose an increment) and given TTLs (2 days, 32 days)
/// so old buckets expire by themselves.
/// </summary>
public sealed class RedisSpendLedger : ISpendLedger
{
    private const string AddScript = """
        redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('INCRBYFLOAT', KEYS[2], ARGV[1])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        return 1
        """;

    private static readonly long DayTtlSeconds = (long)TimeSpan.FromDays(2).TotalSeconds;
    private static readonly long MonthTtlSeconds = (long)TimeSpan.FromDays(32).TotalSeconds;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    /// <summary>Creates the ledger on the shared multiplexer.</summary>
    public RedisSpendLedger(IConnectionMultiplexer redis, IOptions<RedisStateOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _time = time;
        _prefix = options.Value.KeyTag + ":spend:";
    }

    /// <inheritdoc />
    public async ValueTask<SpendTotals> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        var (dayKey, monthKey) = Keys(keyId);
        var values = await _redis.GetDatabase().StringGetAsync([dayKey, monthKey]);
        return new SpendTotals(Parse(values[0]), Parse(values[1]));
    }

    /// <inheritdoc />
    public async ValueTask AddAsync(string keyId, double usd, CancellationToken cancellationToken)
    {
        var (dayKey, monthKey) = Keys(keyId);
        await _redis.GetDatabase().ScriptEvaluateAsync(AddScript, [dayKey, monthKey], [usd, DayTtlSeconds, MonthTtlSeconds]);
    }

    private (RedisKey Day, RedisKey Month) Keys(string keyId)
    {
        var (day, month) = SpendPeriods.At(_time.GetUtcNow());
        return (_prefix + keyId + ":d:" + day, _prefix + keyId + ":m:" + month);
    }

    private static double Parse(RedisValue value) =>
        value.IsNullOrEmpty ? 0 : double.Parse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
