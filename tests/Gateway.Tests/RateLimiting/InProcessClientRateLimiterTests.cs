using Microsoft.Extensions.Time.Testing;
using Router.Gateway.RateLimiting;

namespace Gateway.Tests.RateLimiting;

public sealed class InProcessClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 8, 30, 20, TimeSpan.Zero));

    [Fact]
    public async Task TryAcquire_RequestsPerMinute_RefusesUntilNextWindow()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
        var refused = await limiter.TryAcquireAsync("k", 3, null, default);
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(40), "requests"), refused);
        Assert.True((await limiter.TryAcquireAsync("other", 3, null, default)).Allowed); // per key

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.True((await limiter.TryAcquireAsync("k", 3, null, default)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_TokensCharged_RefusesOnceOverThenResets()
    {
        var limiter = new InProcessClientRateLimiter(_time);
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
        await limiter.ChargeTokensAsync("k", 99, default);
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
        await limiter.ChargeTokensAsync("k", 5, default);
        Assert.Equal("tokens", (await limiter.TryAcquireAsync("k", null, 100, default)).Limit);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await limiter.TryAcquireAsync("k", null, 100, default)).Allowed);
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
}
