using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.RateLimiting;

/// <summary>
/// Fixed one-minute windows in Redis, shared by every replica (so N replicas do not multiply a limit by N):
/// <c>{prefix}:rl:{key}:{window}:r</c> (requests) and <c>…:t</c> (tokens). The check and the increment are one Lua
/// script, so concurrent requests on different replicas can never both take the last slot. Keys expire after two
/// windows. The window index comes from the gateway's clock; replicas are assumed NTP-synced (a skew of s seconds
/// lets a key use at most one window's limit extra within s seconds of a minute boundary).
/// </summary>
public sealed class RedisClientRateLimiter : IClientRateLimiter
{
    // KEYS[1] requests, KEYS[2] tokens; ARGV[1] rpm (0 = none), ARGV[2] tpm (0 = none), ARGV[3] ttl ms.
    // Returns 0 admitted, 1 refused by requests, 2 refused by tokens.
    private const string AcquireScript = """
        local rpm = tonumber(ARGV[1])
        local tpm = tonumber(ARGV[2])
        if rpm > 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= rpm then return 1 end
        if tpm > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= tpm then return 2 end
        if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
        return 0
        """;

    private const string ChargeScript = """
        if redis.call('INCRBY', KEYS[1], ARGV[1]) == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 1
        """;

    private static readonly long TtlMs = (long)(2 * RateWindow.Length.TotalMilliseconds);
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    /// <summary>Creates the limiter on the shared multiplexer.</summary>
    public RedisClientRateLimiter(IConnectionMultiplexer redis, IOptions<RedisStateOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _time = time;
        _prefix = "{" + options.Value.KeyPrefix + "}:rl:";
    }

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken)
    {
        var window = RateWindow.At(_time.GetUtcNow());
        var baseKey = _prefix + keyId + ":" + window.Index;
        var result = (int)await _redis.GetDatabase().ScriptEvaluateAsync(
            AcquireScript,
            [baseKey + ":r", baseKey + ":t"],
            [Math.Max(0, requestsPerMinute ?? 0), Math.Max(0, tokensPerMinute ?? 0), TtlMs]);
        return result switch
        {
            0 => RateLimitDecision.Allow,
            1 => new RateLimitDecision(false, window.Remaining, "requests"),
            _ => new RateLimitDecision(false, window.Remaining, "tokens"),
        };
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
