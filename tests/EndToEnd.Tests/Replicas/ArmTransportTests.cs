using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// Arms added through the admin API keep the gateway's transport settings (a simulated arm's behaviour, the Azure
/// api-version): on the replica that took the change, on the others, and after every process and Redis restarted.
/// </summary>
public sealed class ArmTransportTests
{
    private const string AzureKeyEnv = "E2E_ARM_TRANSPORT_AZURE_KEY";

    [RedisFact]
    public async Task AdminArms_WithTransportSettings_ForwardedWithThemOnEveryReplicaAndAfterRestart()
    {
        Environment.SetEnvironmentVariable(AzureKeyEnv, "azure-transport-key");
        using var redis = RedisServer.StartNew();
        await using var upstream = await TestUpstream.StartAsync();
        var prefix = ReplicaRedis.NewPrefix();
        var root = upstream.BaseUrl.GetLeftPart(UriPartial.Authority);

        await using (var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix)))
        await using (var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix)))
        {
            using var azure = await a.Admin.PostAsJsonAsync("/admin/arms", new
            {
                name = "az-admin",
                provider = "azure",
                baseUrl = root,
                upstreamModel = "dep-1",
                apiKeyEnv = AzureKeyEnv,
                apiVersion = "2024-06-01",
                inputPricePerMillion = 1.0,
                outputPricePerMillion = 2.0,
            });
            using var simulated = await a.Admin.PostAsJsonAsync("/admin/arms", new
            {
                name = "scripted-sim",
                provider = "simulated",
                timeToFirstTokenSeconds = 0.005,
                tokensPerSecond = 5000,
                simulation = new { reply = "scripted {arm} answers loudly", maxCompletionTokens = 3 },
            });
            Assert.Equal(HttpStatusCode.Created, azure.StatusCode);
            Assert.Equal(HttpStatusCode.Created, simulated.StatusCode);

            // The replica that took the change and the other one forward with the settings.
            foreach (var replica in new[] { a, b })
            {
                Assert.Equal("scripted scripted-sim answers", await ContentAsync(replica, "scripted-sim"));
                await AssertAzureAsync(replica, upstream, "2024-06-01");
            }

            // A change through B reaches A.
            using var patched = await b.Admin.PatchAsync("/admin/arms/scripted-sim", Json("""{"simulation":{"reply":"patched {arm}"}}"""));
            using var patchedAzure = await b.Admin.PatchAsync("/admin/arms/az-admin", Json("""{"apiVersion":"2025-01-01"}"""));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal(HttpStatusCode.OK, patchedAzure.StatusCode);
            Assert.Equal("patched scripted-sim", await ContentAsync(a, "scripted-sim", expected: "patched scripted-sim"));
            await AssertAzureAsync(a, upstream, "2025-01-01");
        }

        // Every replica gone, Redis killed (SIGKILL) and restarted from its AOF: a fresh replica rebuilds both arms.
        redis.Kill();
        redis.Start();
        await using var c = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix));

        Assert.Equal("patched scripted-sim", await ContentAsync(c, "scripted-sim"));
        await AssertAzureAsync(c, upstream, "2025-01-01");
        var arms = await ArmsAsync(c);
        Assert.Equal("patched {arm}", arms["scripted-sim"].GetProperty("simulation").GetProperty("reply").GetString());
        Assert.Equal(64, arms["scripted-sim"].GetProperty("simulation").GetProperty("maxCompletionTokens").GetInt32()); // the PATCH replaced the simulation
        Assert.Equal("2025-01-01", arms["az-admin"].GetProperty("apiVersion").GetString());
    }

    [RedisFact]
    public async Task Registry_WrittenBeforeTransportSettings_LoadsWithConfiguredOrDefaultSettings()
    {
        using var redis = RedisServer.StartNew();
        var prefix = ReplicaRedis.NewPrefix();
        using (var connection = redis.Connect())
        {
            // What an older gateway stored: ArmDefinition JSON without "transport" (one configured arm, one admin-added).
            var db = connection.GetDatabase();
            await db.HashSetAsync("{" + prefix + "}:registry:arms",
            [
                new("gpt-4o-sim", OldEntry("gpt-4o-sim")),
                new("legacy-sim", OldEntry("legacy-sim")),
            ]);
            await db.StringSetAsync("{" + prefix + "}:registry:version", 7);
        }

        await using var replica = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix));

        // The configured arm keeps its configured simulation (appsettings.json); the admin-added one the defaults.
        Assert.StartsWith("[gpt-4o-sim] A careful, detailed answer to:", await ContentAsync(replica, "gpt-4o-sim"), StringComparison.Ordinal);
        Assert.StartsWith("This is legacy-sim, a simulated model", await ContentAsync(replica, "legacy-sim"), StringComparison.Ordinal);
        var arms = await ArmsAsync(replica);
        Assert.Equal(2, arms.Count);
        Assert.Equal("[{arm}] A careful, detailed answer to: {query}", arms["gpt-4o-sim"].GetProperty("simulation").GetProperty("reply").GetString());

        // A change rewrites the entry in the new form; the price change keeps the configured simulation.
        using var patched = await replica.Admin.PatchAsync("/admin/arms/gpt-4o-sim", Json("""{"inputPricePerMillion":3}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using (var connection = redis.Connect())
        {
            var stored = (string?)await connection.GetDatabase().HashGetAsync("{" + prefix + "}:registry:arms", "gpt-4o-sim");
            Assert.Contains("A careful, detailed answer", stored, StringComparison.Ordinal);
        }

        Assert.StartsWith("[gpt-4o-sim] A careful, detailed answer to:", await ContentAsync(replica, "gpt-4o-sim"), StringComparison.Ordinal);
    }

    private static string OldEntry(string name) =>
        $$"""{"name":"{{name}}","provider":"Simulated","inputPricePerMillion":1,"outputPricePerMillion":2,"maxConcurrency":16,"timeout":"00:01:00","enabled":true,"tags":[],"timeToFirstTokenSeconds":0.005,"tokensPerSecond":5000,"effectiveUpstreamModel":"{{name}}"}""";

    // A pinned chat's answer text; polls (≤ 5 s) while the arm is unknown here or, with expected, until it answers that.
    private static async Task<string> ContentAsync(ReplicaHost replica, string model, string? expected = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "hi there" } } });
            using var response = await replica.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(text);
                var content = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
                if (expected is null || content == expected || DateTime.UtcNow > deadline)
                {
                    return content;
                }
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline, $"{(int)response.StatusCode}: {text}");
            }

            await Task.Delay(20);
        }
    }

    // A pinned chat to the Azure arm reaches the deployment path with the api-version (polls ≤ 5 s for a change to arrive).
    private static async Task AssertAzureAsync(ReplicaHost replica, TestUpstream upstream, string apiVersion)
    {
        var wanted = "/openai/deployments/dep-1/chat/completions?api-version=" + apiVersion;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        ReceivedRequest? last = null;
        while (DateTime.UtcNow < deadline)
        {
            upstream.Received.Clear();
            await ContentAsync(replica, "az-admin");
            last = Assert.Single(upstream.Received);
            if (last.PathAndQuery == wanted)
            {
                Assert.Equal("azure-transport-key", last.Headers["api-key"]);
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"expected {wanted}, upstream saw {last?.PathAndQuery}");
    }

    private static async Task<Dictionary<string, JsonElement>> ArmsAsync(ReplicaHost replica)
    {
        using var response = await replica.Admin.GetAsync("/admin/arms");
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("arms").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.Clone());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
