using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests.Replicas;

/// <summary>Two gateway replicas (A and B) on one real redis-server (issue 5).</summary>
public sealed class TwoReplicaTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    [RedisFact]
    public async Task AddArm_ThroughA_RoutableThroughBByPubSub()
    {
        // The periodic registry check is off (1 h), so only the pub/sub notice can make the arm routable on B in the
        // test's 15 s: that, not a wall-clock bound (shared CI cores), is what shows B heard of it "at once".
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(NoPeriodicCheck(ReplicaHost.OnRedis(redis.Server, prefix)));
        await using var b = await ReplicaHost.StartAsync(NoPeriodicCheck(ReplicaHost.OnRedis(redis.Server, prefix)));

        using var added = await a.Admin.PostAsJsonAsync("/admin/arms", new
        {
            name = "fresh-sim",
            provider = "simulated",
            inputPricePerMillion = 0.01,
            outputPricePerMillion = 0.02,
            timeToFirstTokenSeconds = 0.005,
            tokensPerSecond = 5000,
        });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var clock = Stopwatch.StartNew();
        var status = HttpStatusCode.NotFound;
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var body = JsonSerializer.Serialize(new { model = "fresh-sim", messages = new[] { new { role = "user", content = "hi" } } });
            using var response = await b.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(10);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        // The engine on both replicas got its cold-start state from the log (ArmAdded before any other event).
        foreach (var replica in new[] { a, b })
        {
            await replica.WaitForStatsAsync(s => s.GetProperty("arms").EnumerateArray()
                .Any(x => x.GetProperty("name").GetString() == "fresh-sim" && x.GetProperty("learned").GetBoolean()), what: "fresh-sim learned");
        }

        var log = await ReplicaRedis.ReadLogAsync(b);
        var firstAdd = log.FindIndex(e => e.Kind == "arm-added" && e.IdempotencyKey.Contains("fresh-sim", StringComparison.Ordinal));
        var firstOther = log.FindIndex(e => e.Kind != "arm-added" && Encoding.UTF8.GetString(e.Payload.Span).Contains("\"fresh-sim\"", StringComparison.Ordinal));
        Assert.True(firstAdd >= 0 && (firstOther < 0 || firstAdd < firstOther));
        Assert.Single(log, e => e.Kind == "arm-added" && e.IdempotencyKey.Contains("fresh-sim", StringComparison.Ordinal));
    }

    [RedisFact]
    public async Task SetPolicy_ThroughA_AppliesToRoutingOnB()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));

        // λ = 0: only cost counts → the cheapest arm; λ = 1000: quality dominates → the dearest (highest prior quality).
        Assert.Equal("llama-3-8b-sim", await RouteAfterPolicyAsync(a, b, 0, "llama-3-8b-sim"));
        Assert.Equal("gpt-4o-sim", await RouteAfterPolicyAsync(a, b, 1000, "gpt-4o-sim"));
        using var policy = await b.Admin.GetAsync("/admin/policy");
        using var json = JsonDocument.Parse(await policy.Content.ReadAsStringAsync());
        Assert.Equal(1000, json.RootElement.GetProperty("global").GetProperty("lambda").GetDouble());
    }

    [RedisFact]
    public async Task Feedback_ToBForRequestServedByA_LandsInBothFoldedStates()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        var (requestId, arm, _) = await a.ChatAsync("Summarise the plot of Hamlet in one line.");

        var (status, body) = await b.FeedbackAsync(new { request_id = requestId, score = 0.9 });

        Assert.True(status == HttpStatusCode.Accepted, body);
        Assert.Contains($"\"arm\":\"{arm}\"", body, StringComparison.Ordinal);
        var (sa, sb) = await WaitConvergedAsync(a, b, feedback: 1);
        foreach (var stats in new[] { sa, sb })
        {
            var armStats = stats.GetProperty("arms").EnumerateArray().Single(x => x.GetProperty("name").GetString() == arm);
            Assert.Equal(0.9, armStats.GetProperty("meanScore").GetDouble());
        }
    }

    [RedisFact]
    public async Task FeedbackBurst_ThroughBothReplicas_BitIdenticalLearnedState()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        var replicas = new[] { a, b };
        var served = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            served.Add((await replicas[i % 2].ChatAsync($"Question number {i} about databases and indexes")).RequestId);
        }

        // Each request gets a score and a thumbs, sent concurrently to alternating replicas, some twice (client retries).
        var sends = served.SelectMany((id, i) => new[]
        {
            (Replica: replicas[i % 2], Body: (object)new { request_id = id, score = (i % 5) / 4.0 }),
            (Replica: replicas[(i + 1) % 2], Body: (object)new { request_id = id, thumbs = i % 3 == 0 ? "down" : "up" }),
            (Replica: replicas[(i + 1) % 2], Body: (object)new { request_id = id, score = (i % 5) / 4.0 }),
        });
        var results = await Task.WhenAll(sends.Select(s => s.Replica.FeedbackAsync(s.Body)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        var (sa, sb) = await WaitConvergedAsync(a, b, feedback: 48);
        Assert.Equal(sa.GetProperty("engineHash").GetString(), sb.GetProperty("engineHash").GetString());
        Assert.Equal(24, sa.GetProperty("usageApplied").GetInt64());
    }

    /// <summary>Waits until both replicas applied <paramref name="feedback"/> feedback events and the same log prefix, then checks the hashes.</summary>
    internal static async Task<(JsonElement A, JsonElement B)> WaitConvergedAsync(ReplicaHost a, ReplicaHost b, long feedback, double timeoutSeconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement sa, sb;
        do
        {
            sa = await a.StatsAsync();
            sb = await b.StatsAsync();
            if (sa.GetProperty("feedbackApplied").GetInt64() == feedback && sb.GetProperty("feedbackApplied").GetInt64() == feedback
                && sa.GetProperty("lastAppliedId").GetString() == sb.GetProperty("lastAppliedId").GetString())
            {
                break;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(feedback, sa.GetProperty("feedbackApplied").GetInt64());
        Assert.Equal(feedback, sb.GetProperty("feedbackApplied").GetInt64());
        Assert.Equal(sa.GetProperty("lastAppliedId").GetString(), sb.GetProperty("lastAppliedId").GetString());
        Assert.Equal(sa.GetProperty("stateHash").GetString(), sb.GetProperty("stateHash").GetString());
        Assert.Equal(0, sa.GetProperty("rejected").GetInt64());
        return (sa, sb);
    }

    private static async Task<string> RouteAfterPolicyAsync(ReplicaHost a, ReplicaHost b, double lambda, string expected)
    {
        using var put = await a.Admin.PutAsJsonAsync("/admin/policy", new { lambda });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var clock = Stopwatch.StartNew();
        var arm = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            arm = (await b.ChatAsync("Tell me something about the weather.")).Arm;
            if (arm == expected)
            {
                break;
            }

            await Task.Delay(20);
        }

        return arm;
    }

    private static Dictionary<string, string?> NoPeriodicCheck(Dictionary<string, string?> settings)
    {
        settings["Router:State:RegistryRefreshInterval"] = "01:00:00";
        return settings;
    }
}
