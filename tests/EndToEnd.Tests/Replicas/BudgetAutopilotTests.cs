using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests.Replicas;

/// <summary>The budget autopilot through the admin API (issue 17): targets, bad input, one λ on every replica.</summary>
public sealed class BudgetAutopilotTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    [Theory]
    [InlineData("{\"targetCostPer1kRequests\": -1}", "targetCostPer1kRequests")]
    [InlineData("{\"targetCostPer1kRequests\": 0}", "targetCostPer1kRequests")]
    [InlineData("{\"targetCostPer1kRequests\": \"NaN\"}", "targetCostPer1kRequests")]
    [InlineData("{\"targetCostPer1kRequests\": \"4\"}", "targetCostPer1kRequests")]
    [InlineData("{\"targetCostPer1kRequests\": true}", "targetCostPer1kRequests")]
    [InlineData("{\"targetMonthlyUsd\": -200}", "targetMonthlyUsd")]
    [InlineData("{\"targetMonthlyUsd\": 1e999}", "targetMonthlyUsd")]
    public async Task PutPolicy_BadTarget_400InProblemEnvelopeNamingTheField(string body, string field)
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        foreach (var path in new[] { "/admin/policy", "/admin/policy/keys/key_team" })
        {
            using var response = await gateway.Admin.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(text);
            Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }
    }

    [Fact]
    public async Task PutPolicy_TargetThenNull_ShowsTargetLambdaRealisedThenOff()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using (var put = await gateway.Admin.PutAsJsonAsync("/admin/policy", new { targetCostPer1kRequests = 0.0001, lambda = 2.0 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        for (var i = 0; i < 30; i++)
        {
            await gateway.ChatAsync($"Budgeted question {i}: explain write-ahead logging.");
        }

        await gateway.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() >= 30, what: "30 usage events folded");
        var policy = await PolicyAsync(gateway);
        Assert.Equal(0.0001, policy.GetProperty("targetCostPer1kRequests").GetDouble());
        Assert.True(policy.GetProperty("realisedCostPer1kRequests").GetDouble() > 0);

        // Spending above a tiny target: the controller has lowered λ from its start of 2.
        Assert.True(policy.GetProperty("lambda").GetDouble() < 2.0, policy.ToString());
        Assert.Equal(30, policy.GetProperty("autopilot").GetProperty("global").GetProperty("observedRequests").GetInt64());

        using (var off = await gateway.Admin.PutAsync("/admin/policy", new StringContent("{\"targetCostPer1kRequests\": null, \"lambda\": 2}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        policy = await PolicyAsync(gateway);
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("targetCostPer1kRequests").ValueKind);
        Assert.Equal(2.0, policy.GetProperty("lambda").GetDouble());
    }

    [RedisFact]
    public async Task TwoReplicas_TargetSetThroughA_BothFollowOneLambda()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        using (var put = await a.Admin.PutAsJsonAsync("/admin/policy", new { targetCostPer1kRequests = 0.0001 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // B must see the registry change before it serves, so every request carries the target.
        for (var seen = false; !seen;)
        {
            seen = (await PolicyAsync(b)).GetProperty("targetCostPer1kRequests").ValueKind == JsonValueKind.Number;
            await Task.Yield();
        }

        const int Requests = 40;
        for (var i = 0; i < Requests; i++)
        {
            await (i % 2 == 0 ? a : b).ChatAsync($"Replicated budget question {i}: what is a bloom filter?");
        }

        await a.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() == Requests, what: "A folded every usage event");
        await b.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() == Requests, what: "B folded every usage event");
        var pa = await PolicyAsync(a);
        var pb = await PolicyAsync(b);
        Assert.Equal(pa.GetProperty("lambda").GetDouble(), pb.GetProperty("lambda").GetDouble());
        Assert.Equal(pa.GetProperty("realisedCostPer1kRequests").GetDouble(), pb.GetProperty("realisedCostPer1kRequests").GetDouble());
        Assert.True(pa.GetProperty("lambda").GetDouble() < 1.0, pa.ToString());
        Assert.Equal(Requests, pb.GetProperty("autopilot").GetProperty("global").GetProperty("observedRequests").GetInt64());
    }

    private static async Task<JsonElement> PolicyAsync(ReplicaHost host)
    {
        using var response = await host.Admin.GetAsync("/admin/policy");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }
}
