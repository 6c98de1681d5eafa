using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Router.Core.State;
using Router.Gateway.RateLimiting;

namespace EndToEnd.Tests.Hardening;

/// <summary>
/// The Redis sliding-window limiter (Lua) against the in-process one on the same fake clock: the same decisions and
/// waits to the millisecond, exact admission under concurrency from two replicas, keys expiring after two windows.
/// </summary>
public sealed class RedisClientRateLimiterTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 8, 30, 20, TimeSpan.Zero));

    [RedisFact]
    public async Task TryAcquire_RandomTraffic_MatchesInProcessLimiterExactly()
    {
        using var connection = redis.Server.Connect();
        var remote = new RedisClientRateLimiter(connection, Prefix(), _time);
        var local = new InProcessClientRateLimiter(_time);
        var random = new Random(20260501);
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal) { ["requests"] = 0, ["tokens"] = 0 };
        for (var step = 0; step < 600; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 2500)));
            if (random.Next(4) == 0)
            {
                var tokens = random.Next(1, 120);
                await remote.ChargeTokensAsync("k", tokens, default);
                await local.ChargeTokensAsync("k", tokens, default);
                continue;
            }

            var expected = await local.TryAcquireAsync("k", 20, 600, default);
            var actual = await remote.TryAcquireAsync("k", 20, 600, default);
            Assert.True(expected == actual, $"step {step} at {_time.GetUtcNow():HH:mm:ss.fff}: in-process {expected}, Redis {actual}");
            if (expected.Limit is { } limit)
            {
                refusals[limit]++;
            }
        }

        // Both limits refused some requests (so both sides of both comparisons were compared).
        Assert.All(refusals.Values, count => Assert.InRange(count, 10, 400));
    }

    [RedisFact]
    public async Task TryAcquire_BurstAcrossWindowBoundary_IsLimitedWithRetryAfter()
    {
        using var connection = redis.Server.Connect();
        var limiter = new RedisClientRateLimiter(connection, Prefix(), _time);
        _time.Advance(TimeSpan.FromSeconds(30)); // 08:30:50
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("k", 10, null, default)).Allowed);
        }

        // 08:31:00: estimate 10 × (1 − 0) = 10 (a fixed window admitted 10 more here); 10 × (1 − f) ≤ 9 at f = 0.1: 6 s.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(6), "requests"), await limiter.TryAcquireAsync("k", 10, null, default));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await limiter.TryAcquireAsync("k", 10, null, default)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("k", 10, null, default)).Allowed);
    }

    [RedisFact]
    public async Task TryAcquire_TwoReplicasConcurrent_AdmitExactlyTheLimit()
    {
        using var first = redis.Server.Connect();
        using var second = redis.Server.Connect();
        var options = Prefix();
        var replicas = new[] { new RedisClientRateLimiter(first, options, _time), new RedisClientRateLimiter(second, options, _time) };
        var admitted = 0;
        await Parallel.ForAsync(0, 300, async (i, ct) =>
        {
            if ((await replicas[i % 2].TryAcquireAsync("k", 37, null, ct)).Allowed)
            {
                Interlocked.Increment(ref admitted);
            }
        });
        Assert.Equal(37, admitted);
    }

    [RedisFact]
    public async Task TryAcquireAndCharge_KeysExpireAfterTwoWindows()
    {
        using var connection = redis.Server.Connect();
        var options = Prefix();
        var limiter = new RedisClientRateLimiter(connection, options, _time);
        Assert.True((await limiter.TryAcquireAsync("k", 5, 100, default)).Allowed);
        await limiter.ChargeTokensAsync("k", 7, default);

        var window = _time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        var db = connection.GetDatabase();
        foreach (var suffix in new[] { ":r", ":t" })
        {
            var key = "{" + options.Value.KeyPrefix + "}:rl:k:" + window + suffix;
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(110), TimeSpan.FromSeconds(120));
        }
    }

    private static IOptions<RedisStateOptions> Prefix() =>
        Options.Create(new RedisStateOptions { KeyPrefix = "rl" + Guid.NewGuid().ToString("N")[..10] });
}
