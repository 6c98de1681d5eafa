using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Router.Core.Decision;
using Router.Gateway.Arms;

namespace Gateway.Tests.Admin;

/// <summary>The admin API: key check, validation (ProblemDetails with field names), arms, policy, stats, checkpoint.</summary>
public sealed class AdminApiTests(AdminHost host) : IClassFixture<AdminHost>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/admin/arms" },
        { "POST", "/admin/arms" },
        { "PATCH", "/admin/arms/cheap-sim" },
        { "DELETE", "/admin/arms/cheap-sim" },
        { "GET", "/admin/policy" },
        { "PUT", "/admin/policy" },
        { "PUT", "/admin/policy/keys/k1" },
        { "DELETE", "/admin/policy/keys/k1" },
        { "GET", "/admin/stats" },
        { "POST", "/admin/checkpoint" },
    };

    public static TheoryData<string, string> BadArms => new()
    {
        { "{\"provider\":\"simulated\"}", "name" },
        { "{\"name\":\"x0\",\"name\":\"y0\",\"provider\":\"simulated\"}", "name" },
        { "{\"name\":\"auto\",\"provider\":\"simulated\"}", "name" },
        { "{\"name\":\"x1\",\"provider\":\"carrier-pigeon\"}", "provider" },
        { "{\"name\":\"x2\",\"provider\":\"openai\"}", "baseUrl" },
        { "{\"name\":\"x3\",\"provider\":\"openai\",\"baseUrl\":\"ftp://example\"}", "baseUrl" },
        { "{\"name\":\"x4\",\"provider\":\"simulated\",\"inputPricePerMillion\":-1}", "inputPricePerMillion" },
        { "{\"name\":\"x5\",\"provider\":\"simulated\",\"outputPricePerMillion\":\"cheap\"}", "outputPricePerMillion" },
        { "{\"name\":\"x6\",\"provider\":\"simulated\",\"maxConcurrency\":0}", "maxConcurrency" },
        { "{\"name\":\"x7\",\"provider\":\"simulated\",\"timeoutSeconds\":0}", "timeoutSeconds" },
        { "{\"name\":\"x8\",\"provider\":\"simulated\",\"tokensPerSecond\":-5}", "tokensPerSecond" },
        { "{\"name\":\"x9\",\"provider\":\"openai\",\"baseUrl\":\"https://api.example.com/v1\",\"apiKeyEnv\":\"sk-secret\"}", "apiKeyEnv" },
        { "{\"name\":\"x10\",\"provider\":\"simulated\",\"colour\":\"red\"}", "colour" },
        { "{\"name\":\"x11\",\"provider\":\"simulated\",\"tags\":[\"\"]}", "tags" },
        { "{\"name\":\"x12\",\"provider\":\"simulated\",\"tags\":null}", "tags" },
        { "{\"name\":\"x13\",\"provider\":null}", "provider" },
        { "{\"name\":\"x14\",\"provider\":\"simulated\",\"simulation\":{\"maxCompletionTokens\":0}}", "simulation.maxCompletionTokens" },
        { "{\"name\":\"x15\",\"provider\":\"simulated\",\"simulation\":{\"embeddingDimension\":9000}}", "simulation.embeddingDimension" },
        { "{\"name\":\"x16\",\"provider\":\"simulated\",\"simulation\":{\"failWithStatus\":200}}", "simulation.failWithStatus" },
        { "{\"name\":\"x17\",\"provider\":\"simulated\",\"simulation\":{\"reply\":null}}", "simulation.reply" },
        { "{\"name\":\"x18\",\"provider\":\"simulated\",\"simulation\":null}", "simulation" },
        { "{\"name\":\"x19\",\"provider\":\"simulated\",\"simulation\":{\"reportUsage\":\"no\"}}", "simulation.reportUsage" },
        { "{\"name\":\"x20\",\"provider\":\"simulated\",\"simulation\":[]}", "simulation" },
        { "{\"name\":\"x21\",\"provider\":\"azure\",\"baseUrl\":\"https://n.openai.azure.com\",\"apiKeyEnv\":\"AZ_KEY\",\"apiVersion\":\"\"}", "apiVersion" },
        { "{\"name\":\"x22\",\"provider\":\"azure\",\"baseUrl\":\"https://n.openai.azure.com\",\"apiKeyEnv\":\"AZ_KEY\",\"apiVersion\":\"2024 06\"}", "apiVersion" },
        { "{\"name\":\"x23\",\"provider\":\"azure\",\"baseUrl\":\"https://n.openai.azure.com\",\"apiKeyEnv\":\"AZ_KEY\",\"apiVersion\":7}", "apiVersion" },
        { "[1,2]", "" },
        { "not json", "" },
    };

    public static TheoryData<string, string> BadPatches => new()
    {
        { "{}", "" },
        { "{\"enabled\":\"yes\"}", "enabled" },
        { "{\"inputPricePerMillion\":-0.5}", "inputPricePerMillion" },
        { "{\"maxConcurrency\":0}", "maxConcurrency" },
        { "{\"timeoutSeconds\":7200}", "timeoutSeconds" },
        { "{\"name\":\"renamed\"}", "name" },
        { "{\"apiVersion\":\" \"}", "apiVersion" },
        { "{\"simulation\":{\"maxCompletionTokens\":0}}", "simulation.maxCompletionTokens" },
        { "{\"simulation\":{\"reply\":null}}", "simulation.reply" },
        { "{\"tags\":[null]}", "tags" },
    };

    public static TheoryData<string, string> BadPolicies => new()
    {
        { "{\"lambda\":-1}", "lambda" },
        { "{\"lambda\":1,\"lambda\":2}", "lambda" },
        { "{\"alpha\":-0.1}", "alpha" },
        { "{\"beta\":-2}", "beta" },
        { "{\"timeLimitSeconds\":0}", "timeLimitSeconds" },
        { "{\"targetLatencySeconds\":-1}", "targetLatencySeconds" },
        { "{\"lambda\":\"high\"}", "lambda" },
        { "{\"gamma\":1}", "gamma" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AdminEndpoint_NoKey_401(string method, string path)
    {
        using var response = await host.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AdminEndpoint_WrongKey_403(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");

        using var response = await host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadArms))]
    public async Task PostArm_Invalid_400WithFieldName(string body, string field)
    {
        using var response = await host.Admin.PostAsync("/admin/arms", Json(body));

        await AssertValidationProblemAsync(response, field);
    }

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task PatchArm_Invalid_400WithFieldName(string body, string field)
    {
        using var response = await host.Admin.PatchAsync("/admin/arms/dear-sim", Json(body));

        await AssertValidationProblemAsync(response, field);
    }

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public async Task PutPolicy_Invalid_400WithFieldName(string body, string field)
    {
        using var global = await host.Admin.PutAsync("/admin/policy", Json(body));
        using var perKey = await host.Admin.PutAsync("/admin/policy/keys/key-1", Json(body));

        await AssertValidationProblemAsync(global, field);
        await AssertValidationProblemAsync(perKey, field);
    }

    [Fact]
    public async Task Arms_AddPatchDelete_CatalogFollowsAndConflictsAre409()
    {
        var catalog = host.Services.GetRequiredService<IArmCatalog>();
        var arm = new { name = "added-sim", provider = "simulated", inputPricePerMillion = 1.0, outputPricePerMillion = 2.0 };

        using var created = await host.Admin.PostAsJsonAsync("/admin/arms", arm);
        using var again = await host.Admin.PostAsJsonAsync("/admin/arms", arm);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.True(await WaitAsync(() => catalog.TryGet("added-sim", out _)));

        using var patched = await host.Admin.PatchAsync("/admin/arms/added-sim", Json("{\"enabled\":false,\"outputPricePerMillion\":3}"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.True(await WaitAsync(() => catalog.TryGet("added-sim", out var a) && !a.Definition.Enabled && a.Definition.OutputPricePerMillion == 3));
        using var list = await host.Admin.GetAsync("/admin/arms");
        var listed = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("arms").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "added-sim");
        Assert.False(listed.GetProperty("enabled").GetBoolean());
        Assert.Equal("simulated", listed.GetProperty("provider").GetString());

        using var deleted = await host.Admin.DeleteAsync("/admin/arms/added-sim");
        using var deletedAgain = await host.Admin.DeleteAsync("/admin/arms/added-sim");
        using var patchGone = await host.Admin.PatchAsync("/admin/arms/added-sim", Json("{\"enabled\":true}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, patchGone.StatusCode);
        Assert.True(await WaitAsync(() => !catalog.TryGet("added-sim", out _)));
    }

    [Fact]
    public async Task Arms_AddWithTransportSettings_ForwardedWithThemListedAndPatched()
    {
        var catalog = host.Services.GetRequiredService<IArmCatalog>();
        using var created = await host.Admin.PostAsJsonAsync("/admin/arms", new
        {
            name = "scripted-sim",
            provider = "simulated",
            apiVersion = "2024-06-01",
            simulation = new { reply = "scripted {arm} says hello", maxCompletionTokens = 3, reportUsage = false },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var shown = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("arm");
        Assert.Equal("2024-06-01", shown.GetProperty("apiVersion").GetString());
        Assert.Equal(3, shown.GetProperty("simulation").GetProperty("maxCompletionTokens").GetInt32());

        // Forwarded with the stored settings: the reply template, capped at 3 words, no usage reported.
        var answer = await ChatAsync("scripted-sim");
        Assert.Equal("scripted scripted-sim says", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.False(answer.TryGetProperty("usage", out var usage) && usage.ValueKind != JsonValueKind.Null);
        Assert.True(catalog.TryGet("scripted-sim", out var entry));
        Assert.Equal("2024-06-01", entry.ApiVersion);

        // A GET body posts back unchanged (under another name); a PATCH of the simulation keeps the api-version.
        using var list = await host.Admin.GetAsync("/admin/arms");
        var listed = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("arms").EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "scripted-sim");
        Assert.Equal("scripted {arm} says hello", listed.GetProperty("simulation").GetProperty("reply").GetString());
        var copy = System.Text.Json.Nodes.JsonNode.Parse(listed.GetRawText())!.AsObject();
        copy["name"] = "scripted-copy";
        using var reposted = await host.Admin.PostAsync("/admin/arms", Json(copy.ToJsonString()));
        Assert.Equal(HttpStatusCode.Created, reposted.StatusCode);

        using var patched = await host.Admin.PatchAsync("/admin/arms/scripted-sim", Json("{\"simulation\":{\"reply\":\"patched {arm}\"}}"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.True(await WaitAsync(() => catalog.TryGet("scripted-sim", out var a) && a.Simulation.Reply == "patched {arm}"));
        Assert.True(catalog.TryGet("scripted-sim", out entry));
        Assert.Equal("2024-06-01", entry.ApiVersion);
        Assert.Equal("patched scripted-sim", (await ChatAsync("scripted-sim")).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        using var deleted = await host.Admin.DeleteAsync("/admin/arms/scripted-sim");
        using var deletedCopy = await host.Admin.DeleteAsync("/admin/arms/scripted-copy");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deletedCopy.StatusCode);
    }

    [Fact]
    public async Task Arms_StaleIfMatch_409()
    {
        using var response = await host.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/admin/arms/cheap-sim")
        {
            Content = Json("{\"maxConcurrency\":8}"),
            Headers = { { "If-Match", "\"0\"" } },
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task KeyPolicy_SetThenRemove_ShownInPolicyAnd404WhenAbsent()
    {
        using var set = await host.Admin.PutAsync("/admin/policy/keys/team-a", Json("{\"lambda\":7,\"timeLimitSeconds\":3}"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        using var policy = await host.Admin.GetAsync("/admin/policy");
        var keys = (await policy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keys");
        Assert.Equal(7, keys.GetProperty("team-a").GetProperty("lambda").GetDouble());
        Assert.Equal(3, keys.GetProperty("team-a").GetProperty("timeLimitSeconds").GetDouble());

        using var removed = await host.Admin.DeleteAsync("/admin/policy/keys/team-a");
        using var removedAgain = await host.Admin.DeleteAsync("/admin/policy/keys/team-a");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
    }

    [Fact]
    public async Task Checkpoint_Export_LoadsAsEngineWithSameState()
    {
        using var response = await host.Admin.PostAsync("/admin/checkpoint", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var engine = MixLlmEngine.Deserialize(bytes);
        Assert.Contains("cheap-sim", engine.Arms);
        Assert.Equal(response.Headers.GetValues("x-router-state-hash").Single(), engine.StateHash());
        var file = response.Headers.GetValues("x-router-checkpoint-path").Single();
        Assert.StartsWith(host.ExportDirectory, file, StringComparison.Ordinal);
        Assert.Equal(engine.StateHash(), MixLlmEngine.Load(file).StateHash());
    }

    [Fact]
    public async Task Stats_ListsConfiguredArmsWithStateHash()
    {
        using var response = await host.Admin.GetAsync("/admin/stats");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stats = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(64, stats.GetProperty("stateHash").GetString()!.Length);
        Assert.True(stats.GetProperty("stateBytes").GetInt32() > 0);
        var names = stats.GetProperty("arms").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.Contains("cheap-sim", names);
        Assert.Contains("dear-sim", names);
    }

    private static async Task AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}': {text}");
    }

    private static async Task<bool> WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private async Task<JsonElement> ChatAsync(string model)
    {
        using var response = await host.Anonymous.PostAsync("/v1/chat/completions",
            Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
