using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.RateLimiting;

/// <summary>
/// Sliding-window counters in Redis (see <see cref="RateWindow"/> for the estimate), shared by every replica (so N
/// replicas do not multiply a limit by N): <c>{prefix}:rl:{key}:{window}:r</c> (requests) and <c>…:t</c> (tokens) per
/// one-minute window. Reading the current and previous windows, deciding and incrementing are one Lua script, so
/// concurrent requests on different replicas can never both take the last slot. A key expires two windows after its
/// first write: it is still read while it is the previous window. The window and the elapsed time in it come from the
/// gateway's clock; replicas are assumed NTP-synced (a skew of s seconds shifts the estimate by at most s / 60 of the
/// previous window's count). Thread-safe.
/// </summary>
public sealed class RedisClientRateLimiter : IClientRateLimiter
{
    // KEYS[1] requests, KEYS[2] tokens of the current window; KEYS[3], KEYS[4] the same of the previous window.
    // ARGV[1] requests budget, ARGV[2] tokens budget (scaled estimates, RateWindow.RequestBudget/TokenBudget; -1 = no
    // limit), ARGV[3] window length ms, ARGV[4] elapsed ms in the current window, ARGV[5] ttl ms.
    // A limit admits while current × L + previous × (L − elapsed) ≤ budget (exact: integers below 2^53 in Lua doubles).
    // Returns {admitted (1/0), requests, previous requests, tokens, previous tokens} with the counts before this request.
    private const string AcquireScript = """
        local r = tonumber(redis.call('GET', KEYS[1]) or '0')
        local t = tonumber(redis.call('GET', KEYS[2]) or '0')
        local pr = tonumber(redis.call('GET', KEYS[3]) or '0')
        local pt = tonumber(redis.call('GET', KEYS[4]) or '0')
        local rb = tonumber(ARGV[1])
        local tb = tonumber(ARGV[2])
        local len = tonumber(ARGV[3])
        local left = len - tonumber(ARGV[4])
        local admitted = 1
        if rb >= 0 and r * len + pr * left > rb then admitted = 0 end
        if tb >= 0 and t * len + pt * left > tb then admitted = 0 end
        if admitted == 1 and redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
        return {admitted, r, pr, t, pt}
        """;

    private const string ChargeScript = """
        if redis.call('INCRBY', KEYS[1], ARGV[1]) == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 1
        """;

    private static readonly long TtlMs = 2 * RateWindow.LengthMs;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    /// <summary>Creates the limiter on the shared multiplexer.</summary>
    public RedisClientRateLimiter(IConnectionMultiplexer redis, IOptions<RedisStateOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _time = time;
        _prefix = options.Value.KeyTag + ":rl:";
    }

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken)
    {
        var window = RateWindow.At(_time.GetUtcNow());
        var current = _prefix + keyId + ":" + window.Index;
        var previous = _prefix + keyId + ":" + (window.Index - 1);
        var result = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(
            AcquireScript,
            [current + ":r", current + ":t", previous + ":r", previous + ":t"],
            [
                requestsPerMinute is > 0 and var rpm ? RateWindow.RequestBudget(rpm) : -1,
                tokensPerMinute is > 0 and var tpm ? RateWindow.TokenBudget(tpm) : -1,
                RateWindow.LengthMs,
                window.ElapsedMs,
                TtlMs,
            ]))!;
        if ((long)result[0] == 1)
        {
            return RateLimitDecision.Allow;
        }

        // Refused by the script; the wait comes from the same counts and the same arithmetic. (The script and RateWindow
        // compare the same integers, so From cannot admit here; if they ever disagreed, refuse rather than admit uncounted.)
        var decision = RateLimitDecision.From(window, requestsPerMinute, (long)result[1], (long)result[2], tokensPerMinute, (long)result[3], (long)result[4]);
        return decision.Allowed ? new RateLimitDecision(false, TimeSpan.FromMilliseconds(1), "requests") : decision;
    }

    /// <inheritdoc />
    public async ValueTask ChargeTokensAsync(string keyId, int tokens, CancellationToken cancellationToken)
    {
        if (tokens <= 0)
        {
            return;
        }

        var window = RateWindow.At(_time.GetUtcNow());
        await _redis.GetDatabase().ScriptEvaluateAsync(ChargeScript, [_prefix + keyId + ":" + window.Index + ":t"], [tokens, TtlMs]);
    }
}
