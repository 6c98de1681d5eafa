using Microsoft.Extensions.Time.Testing;
using Router.Gateway.RateLimiting;

namespace Gateway.Tests.RateLimiting;

/// <summary>
/// Sliding-window counter on fake time (estimate = current + previous × (1 − elapsed / 60 s); admit iff estimate + 1 ≤
/// RPM, tokens estimate &lt; TPM). Every expected number below is worked out by hand in the comment next to it.
/// </summary>
public sealed class InProcessClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 8, 30, 20, TimeSpan.Zero));

    [Fact]
    public async Task TryAcquire_RequestsPerMinute_RefusesUntilEstimateDecays()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        }

        // 08:30:20, current 3: the next window starts in 40 s with estimate 3 × (1 − g); 3 × (1 − g) + 1 ≤ 3 at g = 1/3
        // (20 s): 60 s in all. (A fixed window said 40 s.)
        var refused = await limiter.TryAcquireAsync("k", 3, null, default);
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(60), "requests"), refused);
        Assert.True((await limiter.TryAcquireAsync("other", 3, null, default)).Allowed); // per key

        _time.Advance(TimeSpan.FromSeconds(40)); // 08:31:00: estimate 3, still full (a fixed window would reset here)
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(20), "requests"), await limiter.TryAcquireAsync("k", 3, null, default));
        _time.Advance(TimeSpan.FromMilliseconds(19_999));
        Assert.False((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // 08:31:20: estimate 3 × 2/3 = 2
        Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed); // 1 + 2 = 3, + 1 > 3
    }

    [Fact]
    public async Task TryAcquire_BurstAcrossWindowBoundary_IsLimited()
    {
        // The case fixed windows got wrong: 10 at 08:30:50 and 10 more at 08:31:00 would both pass (20 in 10 s).
        _time.Advance(TimeSpan.FromSeconds(30)); // 08:30:50
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.Equal(10, await BurstAsync(limiter, 10, 20));

        _time.Advance(TimeSpan.FromSeconds(10)); // 08:31:00: estimate 0 + 10 × (1 − 0) = 10
        Assert.Equal(0, await BurstAsync(limiter, 10, 20));

        _time.Advance(TimeSpan.FromSeconds(30)); // 08:31:30: estimate 10 × 0.5 = 5 → 5 more fit
        Assert.Equal(5, await BurstAsync(limiter, 10, 20));

        // 08:31:30 current 5, previous 10: the previous share must fall to 4 → 10 × (1 − f) ≤ 4 at f = 0.6 (08:31:36).
        Assert.Equal(TimeSpan.FromSeconds(6), (await limiter.TryAcquireAsync("k", 10, null, default)).RetryAfter);
    }

    [Fact]
    public async Task TryAcquire_FullPreviousWindow_DecaysLinearly()
    {
        // A full previous window (60 at 08:30:59) frees exactly one slot per second of the next one:
        // at 08:31:k the estimate is admitted + 60 × (1 − k/60) = admitted + 60 − k, so admitted ≤ k − 1 before each.
        _time.Advance(TimeSpan.FromSeconds(39)); // 08:30:59
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.Equal(60, await BurstAsync(limiter, 60, 100));
        _time.Advance(TimeSpan.FromSeconds(1)); // 08:31:00
        for (var k = 1; k < 60; k++)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), (await limiter.TryAcquireAsync("k", 60, null, default)).RetryAfter);
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.True((await limiter.TryAcquireAsync("k", 60, null, default)).Allowed, $"08:31:{k:00}");
        }
    }

    [Fact]
    public async Task TryAcquire_RetryAfter_IsExactToTheMillisecond()
    {
        // Previous window 7 of 7, 08:31:00: 7 × (1 − e/60000) ≤ 6 → e ≥ 60000 / 7 = 8571.43 → 8572 ms (header: 9 s).
        _time.Advance(TimeSpan.FromSeconds(39)); // 08:30:59
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.Equal(7, await BurstAsync(limiter, 7, 10));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromMilliseconds(8572), "requests"), await limiter.TryAcquireAsync("k", 7, null, default));
        _time.Advance(TimeSpan.FromMilliseconds(8571));
        Assert.Equal(TimeSpan.FromMilliseconds(1), (await limiter.TryAcquireAsync("k", 7, null, default)).RetryAfter);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await limiter.TryAcquireAsync("k", 7, null, default)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_IdleForTwoWindows_ForgetsEverything()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.Equal(5, await BurstAsync(limiter, 5, 10));
        _time.Advance(TimeSpan.FromSeconds(100)); // 08:32:00: window 08:30 is no longer the previous one
        Assert.Equal(5, await BurstAsync(limiter, 5, 10));
    }

    [Fact]
    public async Task TryAcquire_TokensCharged_RefusesOnceOverThenDecays()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
        await limiter.ChargeTokensAsync("k", 99, default);
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed); // 99 < 100
        await limiter.ChargeTokensAsync("k", 5, default);

        // 08:30:20, 104 tokens: next window (in 40 s) 104 × (60000 − g) ≤ 100 × 60000 − 1 → g ≥ 2308 ms: 42.308 s.
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromMilliseconds(42_308), "tokens"), await limiter.TryAcquireAsync("k", null, 100, default));
        _time.Advance(TimeSpan.FromMilliseconds(42_307));
        Assert.False((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_BothLimitsRefuse_ReportsTheLongerWait()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.True((await limiter.TryAcquireAsync("k", 1, 10, default)).Allowed);
        await limiter.ChargeTokensAsync("k", 100, default);

        // 08:30:20. Requests 1 of 1: wait until the next window ends (40 + 60 s). Tokens 100 of 10:
        // 100 × (60000 − g) ≤ 599999 → g ≥ 54001 ms → 94.001 s. Requests wait longer.
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(100), "requests"), await limiter.TryAcquireAsync("k", 1, 10, default));
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromMilliseconds(94_001), "tokens"), await limiter.TryAcquireAsync("k", null, 10, default));
    }

    [Fact]
    public async Task TryAcquire_ClockStepsBack_KeepsCountingInTheNewerWindow()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        _time.Advance(TimeSpan.FromSeconds(40)); // 08:31:00
        Assert.Equal(2, await BurstAsync(limiter, 2, 5));
        _time.AdjustTime(_time.GetUtcNow() - TimeSpan.FromSeconds(30)); // back to 08:30:30
        Assert.False((await limiter.TryAcquireAsync("k", 2, null, default)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_Concurrent_AdmitsExactlyTheLimit()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        var admitted = 0;
        await Parallel.ForAsync(0, 500, async (_, ct) =>
        {
            if ((await limiter.TryAcquireAsync("k", 137, null, ct)).Allowed)
            {
                Interlocked.Increment(ref admitted);
            }
        });
        Assert.Equal(137, admitted);
    }

    [Fact]
    public async Task TryAcquire_NoLimits_AlwaysAllows()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        for (var i = 0; i < 50; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("k", null, 0, default)).Allowed);
        }
    }

    private static async Task<int> BurstAsync(InProcessClientRateLimiter limiter, int requestsPerMinute, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await limiter.TryAcquireAsync("k", requestsPerMinute, null, default)).Allowed)
            {
                admitted++;
            }
        }

        return admitted;
    }
}
