using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Tests.Replicas;

namespace EndToEnd.Tests.Console;

/// <summary>GET /admin/usage, GET /v1/usage, /openapi/v1.json and /docs on the whole product (issue 16).</summary>
public sealed class UsageApiTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    [Fact]
    public async Task AdminUsage_InMemory_BucketsSumToRequestsServed()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        for (var i = 0; i < 7; i++)
        {
            await gateway.ChatAsync($"usage question {i}");
        }

        await gateway.ChatAsync("pinned", model: "llama-3-8b-sim");
        foreach (var groupBy in new[] { "arm", "key", "model" })
        {
            var buckets = await WaitForTotalAsync(gateway, $"/admin/usage?bucket=1m&group_by={groupBy}", 8);
            Assert.All(buckets, b => Assert.True(b.TryGetProperty(groupBy, out _), $"bucket without '{groupBy}': {b}"));
        }

        var byArm = await WaitForTotalAsync(gateway, "/admin/usage?bucket=1d&group_by=arm", 8);
        var llama = byArm.Single(b => b.GetProperty("arm").GetString() == "llama-3-8b-sim");
        Assert.True(llama.GetProperty("requests").GetInt64() >= 1);
        Assert.True(byArm.Sum(b => b.GetProperty("outputTokens").GetInt64()) > 0);
        Assert.True(byArm.All(b => b.GetProperty("latencyP99Ms").GetDouble() >= b.GetProperty("latencyP50Ms").GetDouble()));
        Assert.True(DateTimeOffset.TryParse(byArm[0].GetProperty("start").GetString(), out _));
    }

    [RedisFact]
    public async Task AdminUsage_TwoReplicasOnRedis_EachSeesTheSumOfBoth()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        for (var i = 0; i < 5; i++)
        {
            await a.ChatAsync($"replica a {i}");
        }

        for (var i = 0; i < 4; i++)
        {
            await b.ChatAsync($"replica b {i}");
        }

        await WaitForTotalAsync(a, "/admin/usage?bucket=1h&group_by=arm", 9);
        await WaitForTotalAsync(b, "/admin/usage?bucket=1m&group_by=model", 9);
    }

    [Fact]
    public async Task AdminUsage_NoCredentialOrBadQuery_401Or400ProblemDetails()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using var anonymous = await gateway.Http.GetAsync("/admin/usage");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        foreach (var query in new[] { "bucket=5m", "group_by=region", "from=yesterday", "from=2026-01-02&to=2026-01-01", "bucket=1m&from=2020-01-01&to=2026-01-01" })
        {
            using var bad = await gateway.Admin.GetAsync("/admin/usage?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task KeyUsage_TwoKeys_EachSeesOnlyItsOwn()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        var (idOne, secretOne) = await CreateKeyAsync(gateway, "team-one", dailyCap: 5);
        var (idTwo, secretTwo) = await CreateKeyAsync(gateway, "team-two", dailyCap: null);
        await ChatWithKeyAsync(gateway, secretOne, 3);
        await ChatWithKeyAsync(gateway, secretTwo, 2);

        var one = await WaitForKeyUsageAsync(gateway, secretOne, 3);
        var two = await WaitForKeyUsageAsync(gateway, secretTwo, 2);
        Assert.Equal(idOne, one.GetProperty("keyId").GetString());
        Assert.Equal(idTwo, two.GetProperty("keyId").GetString());
        Assert.Equal(5, one.GetProperty("budget").GetProperty("dailyCapUsd").GetDouble());
        Assert.True(one.GetProperty("budget").GetProperty("remainingTodayUsd").GetDouble() <= 5);
        Assert.Equal(JsonValueKind.Null, two.GetProperty("budget").GetProperty("remainingTodayUsd").ValueKind);
        Assert.Equal(3, one.GetProperty("days")[0].GetProperty("requests").GetInt64());

        using var anonymous = await gateway.Http.GetAsync("/v1/usage");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var envelope = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync());
        Assert.Equal("invalid_api_key", envelope.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task OpenApi_ListsTheApi_AndDocsPageServesItsScriptLocally()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using var document = JsonDocument.Parse(await gateway.Http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/feedback", "/v1/usage", "/admin/usage", "/admin/arms", "/admin/policy", "/admin/keys" })
        {
            Assert.Contains(path, paths);
        }

        Assert.DoesNotContain(paths, p => p.StartsWith("/ui", StringComparison.Ordinal));
        var html = await gateway.Http.GetStringAsync("/docs");
        Assert.DoesNotContain("fonts.scalar.com", html, StringComparison.Ordinal);
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var src in scripts)
        {
            Assert.False(src.StartsWith("http", StringComparison.OrdinalIgnoreCase), $"/docs loads {src} from outside the gateway");
            using var script = await gateway.Http.GetAsync(new Uri(new Uri(gateway.Address, "/docs/"), src));
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }
    }

    internal static async Task<List<JsonElement>> WaitForTotalAsync(ReplicaHost gateway, string path, long expected)
    {
        // Observers run after the response is sent, so the count can trail the client by a moment: poll for it.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<JsonElement> buckets;
        do
        {
            using var response = await gateway.Admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            buckets = [.. body.GetProperty("buckets").EnumerateArray().Select(b => b.Clone())];
            if (buckets.Sum(b => b.GetProperty("requests").GetInt64()) >= expected)
            {
                break;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(expected, buckets.Sum(b => b.GetProperty("requests").GetInt64()));
        return buckets;
    }

    private static async Task<(string Id, string Secret)> CreateKeyAsync(ReplicaHost gateway, string name, double? dailyCap)
    {
        using var response = await gateway.Admin.PostAsJsonAsync("/admin/keys", new { name, dailySpendCapUsd = dailyCap });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    private static async Task ChatWithKeyAsync(ReplicaHost gateway, string secret, int count)
    {
        var client = new OpenAI.Chat.ChatClient("auto", new System.ClientModel.ApiKeyCredential(secret), new OpenAI.OpenAIClientOptions { Endpoint = gateway.OpenAiEndpoint });
        for (var i = 0; i < count; i++)
        {
            await client.CompleteChatAsync($"key usage {i}");
        }
    }

    private static async Task<JsonElement> WaitForKeyUsageAsync(ReplicaHost gateway, string secret, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement body;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await gateway.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            body = (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
            if (body.GetProperty("totals").GetProperty("requests").GetInt64() >= expected)
            {
                break;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(expected, body.GetProperty("totals").GetProperty("requests").GetInt64());
        return body;
    }
}
