using System.Net;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Router.Gateway.Auth;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>One redis-server for this class (skipped loudly without redis-server unless ROUTER_REQUIRE_REDIS=1).</summary>
public sealed class RedisServerFixture : IDisposable
{
    private readonly Lazy<RedisServer> _server = new(RedisServer.StartNew);

    public RedisServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}

/// <summary>Two gateway replicas on one Redis share keys, sliding rate-limit windows and spend counters.</summary>
public sealed class RedisSharedLimitTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 5, TimeSpan.Zero));

    [RedisFact]
    public async Task TwoReplicas_ShareOneRequestsPerMinuteLimit()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var (a, b) = await StartPairAsync(upstream);
        await using var _ = a;
        await using var __ = b;

        var (_, secret) = await CreateKeyAsync(a, new { name = "shared", requestsPerMinute = 3 });
        _time.Advance(TimeSpan.FromSeconds(2)); // B cached "no keys yet" at start for 1 s (fake clock)
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await (i % 2 == 0 ? a : b).Http.SendAsync(Chat(secret));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("rate_limit_exceeded", (await EnvelopeAsync(response)).Code);
                // 12:00:07, 3 of 3: the next window starts in 53 s; 3 × (1 − g) + 1 ≤ 3 at g = 1/3 (20 s): 73 s.
                Assert.Equal("73", response.Headers.GetValues("Retry-After").Single());
            }
        }

        // Per-pod limiting would have let 6 through (3 per replica).
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(3, upstream.Received.Count);

        _time.Advance(TimeSpan.FromSeconds(72)); // 12:01:19: estimate 3 × 41/60 = 2.05, + 1 > 3
        using (var early = await b.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(1)); // 12:01:20: estimate 2
        using var decayed = await b.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.OK, decayed.StatusCode);
    }

    [RedisFact]
    public async Task TwoReplicas_ShareSpendAndRevocation()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var (a, b) = await StartPairAsync(upstream);
        await using var _ = a;
        await using var __ = b;

        // $0.000021 per request; a cap of $0.00002 is crossed by the first request, wherever it ran.
        var (id, secret) = await CreateKeyAsync(a, new { name = "capped", dailySpendCapUsd = 0.00002 });
        _time.Advance(TimeSpan.FromSeconds(2)); // B cached "no keys yet" at start for 1 s (fake clock)
        using (var first = await a.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var ledgerB = b.Services.GetRequiredService<ISpendLedger>();
        await EventuallyAsync(async () => (await ledgerB.GetAsync(id, default)).TodayUsd > 0.00002, "spend seen by replica B");
        using var refused = await b.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("insufficient_quota", (await EnvelopeAsync(refused)).Code);

        // Revoked on A; B refuses it once its 1 s cache expires (the cache runs on the fake clock).
        var (_, other) = await CreateKeyAsync(a, new { name = "other" });
        using (var ok = await b.Http.SendAsync(Chat(other)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (otherId, _) = (await a.Services.GetRequiredService<IApiKeyStore>().ListAsync(default)).Select(k => (k.Id, k.Name)).Single(k => k.Name == "other");
        using (var revoke = new HttpRequestMessage(HttpMethod.Delete, "/admin/keys/" + otherId))
        {
            revoke.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
            Assert.Equal(HttpStatusCode.NoContent, (await a.Http.SendAsync(revoke)).StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        using var revoked = await b.Http.SendAsync(Chat(other));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    private async Task<(GatewayHost A, GatewayHost B)> StartPairAsync(TestUpstream upstream)
    {
        var prefix = "h" + Guid.NewGuid().ToString("N")[..10];
        var settings = GatewayHost.Merge(
            GatewayHost.Arm(0, "cheap", upstream.BaseUrl, 1, 2),
            new Dictionary<string, string?>
            {
                ["Router:AdminKey"] = AdminKey,
                ["Router:Redis:Configuration"] = redis.Server.Configuration,
                ["Router:Redis:KeyPrefix"] = prefix,
                ["Router:State:BufferDirectory"] = Path.Combine(Path.GetTempPath(), prefix),
            });
        var a = await GatewayHost.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(_time));
        var b = await GatewayHost.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(_time));
        return (a, b);
    }
}
