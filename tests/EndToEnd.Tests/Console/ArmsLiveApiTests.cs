using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Replicas;
using Microsoft.Extensions.DependencyInjection;
using Router.Gateway.Arms;

namespace EndToEnd.Tests.Console;

/// <summary>
/// What GET /admin/arms adds beside the registry entries for the console's Arms page: requests in flight, circuit
/// state, and predicted quality over the validation prompts (only with a loaded checkpoint).
/// </summary>
public sealed class ArmsLiveApiTests
{
    [Fact]
    public async Task Live_InFlightCountsAPendingRequest_CircuitOpensOnFailures()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>
        {
            ["Router:Resilience:MaxRetries"] = "0",
            ["Router:Resilience:BreakerMinimumThroughput"] = "2",
            ["Router:Resilience:BreakerFailureRatio"] = "0.5",
            ["Router:Resilience:BreakerBreakDuration"] = "00:05:00",
        });
        var (live, predictions) = await LiveAsync(gateway);
        foreach (var arm in new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim", "text-embedding-3-small-sim" })
        {
            Assert.Equal(0, live[arm].GetProperty("inFlight").GetInt32());
            Assert.Equal("closed", live[arm].GetProperty("circuit").GetString());
            Assert.Equal(JsonValueKind.Null, live[arm].GetProperty("circuitRetryInSeconds").ValueKind);
            Assert.Equal(JsonValueKind.Null, live[arm].GetProperty("predictedQuality").ValueKind);   // no checkpoint
        }

        Assert.Equal(JsonValueKind.Null, predictions.GetProperty("checkpoint").ValueKind);

        // The listed arm entries stay POSTable as they are: the live fields are beside them, not in them.
        using (var list = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/arms")))
        {
            var entry = list.RootElement.GetProperty("arms")[0];
            Assert.False(entry.TryGetProperty("inFlight", out _));
            Assert.False(entry.TryGetProperty("circuit", out _));
        }

        // A request to an arm that takes 30 s to its first token is in flight until the client gives up.
        await AddArmAsync(gateway, new { name = "slow-sim", provider = "simulated", inputPricePerMillion = 0.1, outputPricePerMillion = 0.2, timeToFirstTokenSeconds = 30, timeoutSeconds = 120 });
        using (var cancel = new CancellationTokenSource())
        {
            var pending = gateway.Http.PostAsync("/v1/chat/completions", Chat("slow-sim"), cancel.Token);
            await EventuallyAsync(gateway, l => l["slow-sim"].GetProperty("inFlight").GetInt32() == 1, "slow-sim in flight");
            Assert.Equal(0, (await LiveAsync(gateway)).Live["llama-3-8b-sim"].GetProperty("inFlight").GetInt32());
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        }

        await EventuallyAsync(gateway, l => l["slow-sim"].GetProperty("inFlight").GetInt32() == 0, "slow-sim no longer in flight");

        // Two failures of two calls (ratio 1 ≥ 0.5, throughput 2) open the arm's circuit; the others stay closed.
        await AddArmAsync(gateway, new { name = "failing-sim", provider = "simulated", inputPricePerMillion = 0.1, outputPricePerMillion = 0.2, simulation = new { failWithStatus = 503 } });
        for (var i = 0; i < 2; i++)
        {
            using var failed = await gateway.Http.PostAsync("/v1/chat/completions", Chat("failing-sim"));
            Assert.False(failed.IsSuccessStatusCode, $"attempt {i}: {(int)failed.StatusCode}");
        }

        (live, _) = await LiveAsync(gateway);
        Assert.Equal("open", live["failing-sim"].GetProperty("circuit").GetString());
        var retryIn = live["failing-sim"].GetProperty("circuitRetryInSeconds").GetDouble();
        Assert.InRange(retryIn, 0.1, 300);
        Assert.Equal("closed", live["llama-3-8b-sim"].GetProperty("circuit").GetString());
        Assert.Equal("closed", live["slow-sim"].GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task Live_WithACheckpoint_PredictedQualityPerChatArm_NoneForEmbeddings()
    {
        var checkpoint = Path.Combine(Path.GetTempPath(), "router-console-checkpoint-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            await using (var first = await ReplicaHost.StartAsync(new Dictionary<string, string?>()))
            {
                using var export = await first.Admin.PostAsync("/admin/checkpoint", null);
                Assert.Equal(HttpStatusCode.OK, export.StatusCode);
                await File.WriteAllBytesAsync(checkpoint, await export.Content.ReadAsByteArrayAsync());
            }

            await using var second = await ReplicaHost.StartAsync(new Dictionary<string, string?> { ["Router:CheckpointPath"] = checkpoint });
            var (live, predictions) = await LiveAsync(second);
            Assert.Equal(Path.GetFileName(checkpoint), predictions.GetProperty("checkpoint").GetString());
            Assert.Equal(48, predictions.GetProperty("prompts").GetInt32());
            Assert.Contains("frontier-prompts.json", predictions.GetProperty("promptSet").GetString(), StringComparison.Ordinal);
            foreach (var arm in new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim" })
            {
                Assert.InRange(live[arm].GetProperty("predictedQuality").GetDouble(), 0, 1);
            }

            // Routing never scores the embeddings arm, so there is no quality to predict for it.
            Assert.Equal(JsonValueKind.Null, live["text-embedding-3-small-sim"].GetProperty("predictedQuality").ValueKind);

            // The same means as the Policy page's frontier (one computation, two views).
            using var frontier = JsonDocument.Parse(await second.Admin.GetStringAsync("/admin/policy/frontier"));
            foreach (var arm in frontier.RootElement.GetProperty("arms").EnumerateArray())
            {
                Assert.Equal(Math.Round(arm.GetProperty("predictedQuality").GetDouble(), 4), live[arm.GetProperty("arm").GetString()!].GetProperty("predictedQuality").GetDouble());
            }
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    private static StringContent Chat(string model) => new(
        JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "hello" } } }), Encoding.UTF8, "application/json");

    private static async Task AddArmAsync(ReplicaHost gateway, object arm)
    {
        using var added = await gateway.Admin.PostAsJsonAsync("/admin/arms", arm);
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var name = JsonSerializer.SerializeToElement(arm).GetProperty("name").GetString()!;

        // The registry watcher brings the arm into this replica's catalog (bounded poll).
        var catalog = gateway.Services.GetRequiredService<IArmCatalog>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!catalog.TryGet(name, out _))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never reached the catalog");
            await Task.Delay(20);
        }
    }

    private static async Task<(Dictionary<string, JsonElement> Live, JsonElement Predictions)> LiveAsync(ReplicaHost gateway)
    {
        using var response = await gateway.Admin.GetAsync("/admin/arms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var live = body.GetProperty("live").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.Clone());
        Assert.Equal(body.GetProperty("arms").GetArrayLength(), live.Count);
        return (live, body.GetProperty("predictions").Clone());
    }

    private static async Task EventuallyAsync(ReplicaHost gateway, Func<Dictionary<string, JsonElement>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition((await LiveAsync(gateway)).Live))
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
