using System.Net;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using Router.Core.State;
using Router.Gateway.Learning;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// The response cache in the whole product: feedback on a hit's request id (the decision record copies the original
/// decision; the hit feeds no usage), sharing between two replicas through a real redis-server, and a Redis outage
/// (every request still answered 200: a failed Redis read is a miss).
/// </summary>
public sealed class ResponseCacheReplicaTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    private const string Question = "Explain in one sentence why the sky is blue.";

    [Fact]
    public async Task Feedback_OnAHitsRequestId_IsAcceptedForTheStoredArm_AndTheHitFeedsNoUsage()
    {
        await using var replica = await ReplicaHost.StartAsync(CacheOn());
        var miss = await ChatAsync(replica);
        Assert.Equal("miss", miss.Cache);
        Assert.Equal("mixllm", miss.Policy);
        await replica.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() == 1, what: "the miss's usage");

        var hit = await ChatAsync(replica);
        var (status, body) = await replica.FeedbackAsync(new { request_id = hit.RequestId, score = 0.9 });

        Assert.Equal("hit", hit.Cache);
        Assert.Equal(miss.Arm, hit.Arm);
        Assert.Equal("mixllm", hit.Policy);
        Assert.Equal(miss.Body, hit.Body);
        Assert.True(status == HttpStatusCode.Accepted, body);
        using (var accepted = JsonDocument.Parse(body))
        {
            Assert.Equal(miss.Arm, accepted.RootElement.GetProperty("arm").GetString());
        }

        var stats = await replica.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == 1, what: "the hit's feedback");
        Assert.Equal(1, stats.GetProperty("usageApplied").GetInt64());
        var arm = stats.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("name").GetString() == miss.Arm);
        Assert.Equal(1, arm.GetProperty("requests").GetInt64());
        Assert.Equal(1, arm.GetProperty("scores").GetInt64());
        var log = await ReplicaRedis.ReadLogAsync(replica);
        Assert.Contains(log, e => e.IdempotencyKey == IdempotencyKeys.For(miss.RequestId, LearningKinds.Usage));
        Assert.DoesNotContain(log, e => e.IdempotencyKey == IdempotencyKeys.For(hit.RequestId, LearningKinds.Usage));
        Assert.Contains(log, e => e.IdempotencyKey == IdempotencyKeys.For(hit.RequestId, LearningKinds.FeedbackScore));
    }

    [RedisFact]
    public async Task TwoReplicas_BAnswersFromWhatAStoredInRedis_AndFeedbackOnBsHitLands()
    {
        var prefix = ReplicaRedis.NewPrefix();
        var settings = GatewayHost.Merge(ReplicaHost.OnRedis(redis.Server, prefix), CacheOn());
        await using var a = await ReplicaHost.StartAsync(settings);
        await using var b = await ReplicaHost.StartAsync(settings);

        var stored = await ChatAsync(a);
        // A stores (memory, then Redis) before its observers run; its usage event in the shared log comes after.
        await a.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() == 1, what: "A's usage");
        var fromB = await ChatAsync(b);

        Assert.Equal("miss", stored.Cache);
        Assert.Equal("hit", fromB.Cache);
        Assert.Equal(stored.Body, fromB.Body);
        Assert.Equal(stored.Arm, fromB.Arm);
        Assert.Equal(stored.Policy, fromB.Policy);
        using var connection = redis.Server.Connect();
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        Assert.Single(server.Keys(pattern: prefix + ":cache:*"));

        var (status, body) = await b.FeedbackAsync(new { request_id = fromB.RequestId, thumbs = "up" });
        Assert.True(status == HttpStatusCode.Accepted, body);
        await a.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == 1, what: "B's feedback folded on A");
    }

    [RedisFact]
    public async Task RedisKilled_RequestsStillServed200_NewOnesAsMisses()
    {
        using var server = RedisServer.StartNew();
        await using var upstream = await TestUpstream.StartAsync();
        var prefix = ReplicaRedis.NewPrefix();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "cheap", upstream.BaseUrl, 1, 2),
            CacheOn(),
            new Dictionary<string, string?>
            {
                ["Router:AdminKey"] = AdminKey,
                ["Router:Redis:Configuration"] = server.Configuration,
                ["Router:Redis:KeyPrefix"] = prefix,
                ["Router:State:BufferDirectory"] = Path.Combine(Path.GetTempPath(), prefix),
            }));
        var (_, secret) = await CreateKeyAsync(gateway, new { name = "k" });
        const string Other = """{"model":"auto","messages":[{"role":"user","content":"Something else"}]}""";
        Assert.Equal("miss", await SendAsync(gateway, secret, ChatBody));

        server.Kill();
        var storedBefore = await SendAsync(gateway, secret, ChatBody);
        var newDuringOutage = await SendAsync(gateway, secret, Other);
        var repeatedDuringOutage = await SendAsync(gateway, secret, Other);

        Assert.Equal("hit", storedBefore);               // this replica's memory
        Assert.Equal("miss", newDuringOutage);           // Redis read failed: a miss, answered by the upstream
        Assert.Equal("hit", repeatedDuringOutage);       // kept in memory although the Redis write failed
        Assert.Equal(2, upstream.Received.Count);
    }

    private static Dictionary<string, string?> CacheOn() => new() { ["Router:Cache:Enabled"] = "true" };

    private static async Task<(string RequestId, string Arm, string Policy, string Cache, string Body)> ChatAsync(ReplicaHost replica)
    {
        var body = JsonSerializer.Serialize(new { model = "auto", messages = new[] { new { role = "user", content = Question } } });
        using var response = await replica.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return (Header(response, "x-router-request-id"), Header(response, "x-router-arm"), Header(response, "x-router-policy"), Header(response, "x-router-cache"), text);
    }

    /// <summary>Posts a chat as the key's holder; asserts 200, waits for the observers, returns x-router-cache.</summary>
    private static async Task<string> SendAsync(GatewayHost gateway, string secret, string body)
    {
        using var response = await gateway.Http.SendAsync(Chat(secret, body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        return Header(response, "x-router-cache");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
