using System.Net;
using System.Net.Http.Headers;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>Redis dies under a keyed gateway: cached keys keep working (limits fail open), unknown ones get 503, never 500.</summary>
public sealed class RedisOutageTests
{
    [RedisFact]
    public async Task RedisDown_KnownKeyServedUnknownRefused503_RecoversAfterRestart()
    {
        using var redis = RedisServer.StartNew();
        await using var upstream = await TestUpstream.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 5, TimeSpan.Zero));
        var prefix = "o" + Guid.NewGuid().ToString("N")[..10];
        await using var gateway = await GatewayHost.StartAsync(
            GatewayHost.Merge(
                GatewayHost.Arm(0, "cheap", upstream.BaseUrl, 1, 2),
                new Dictionary<string, string?>
                {
                    ["Router:AdminKey"] = AdminKey,
                    ["Router:Redis:Configuration"] = redis.Configuration,
                    ["Router:Redis:KeyPrefix"] = prefix,
                    ["Router:State:BufferDirectory"] = Path.Combine(Path.GetTempPath(), prefix),
                }),
            services: s => s.AddSingleton<TimeProvider>(time));
        var (_, secret) = await CreateKeyAsync(gateway, new { name = "k", requestsPerMinute = 100, dailySpendCapUsd = 10 });
        using (var ok = await gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        redis.Kill();

        // Within the 1 s key cache: authenticated locally; spend and rate checks cannot reach Redis and fail open.
        using (var cached = await gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        // Cache expired: a key seen before is still served from its last known state (degraded mode keeps serving
        // known clients); a secret never seen cannot be checked → 503 in the envelope (fail closed); admin answers 503.
        time.Advance(TimeSpan.FromSeconds(2));
        using (var stale = await gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        using (var refused = await gateway.Http.SendAsync(Chat("sk-router-never-seen-before-0000000000000000000")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("key_store_unavailable", (await EnvelopeAsync(refused)).Code);
        }

        using (var list = new HttpRequestMessage(HttpMethod.Get, "/admin/keys"))
        {
            list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var response = await gateway.Http.SendAsync(list);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        redis.Start(); // same port and AOF: the key is still there
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            using var response = await gateway.Http.SendAsync(Chat(secret));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the gateway did not recover after Redis came back");
            await Task.Delay(100);
        }
    }
}
