using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Router.Gateway.DecisionLog;

namespace EndToEnd.Tests.Replicas;

/// <summary>The decision log (issue 17): what is logged, the admin endpoints, exploration's propensities, durability.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public async Task RoutedRequestsAndFeedback_ListedJoinedFilteredAndExported()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?> { ["Router:DecisionLog:StorePrompts"] = "true" });
        var ids = new List<(string Id, string Arm)>();
        for (var i = 0; i < 5; i++)
        {
            var (id, arm, _) = await gateway.ChatAsync($"Logged question {i}: what does fsync guarantee?");
            ids.Add((id, arm));
        }

        await gateway.ChatAsync("A pinned request is no routing decision.", model: "llama-3-8b-sim");
        var (status, _) = await gateway.FeedbackAsync(new { request_id = ids[2].Id, score = 0.75 });
        Assert.Equal(HttpStatusCode.Accepted, status);

        var decisions = await DecisionsAsync(gateway, "?limit=50");
        Assert.Equal(5, decisions.GetArrayLength());   // the pinned request is not logged
        var first = decisions[0];
        Assert.Equal(ids[4].Id, first.GetProperty("requestId").GetString());   // newest first
        Assert.Equal(ids[4].Arm, first.GetProperty("chosenArm").GetString());
        Assert.Equal("mixllm", first.GetProperty("policy").GetString());
        Assert.Equal(1.0, first.GetProperty("propensity").GetDouble());
        Assert.Equal(32, first.GetProperty("promptHash").GetString()!.Length);
        Assert.Contains("fsync", first.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.True(first.GetProperty("lambda").GetDouble() > 0);
        Assert.Equal(3, first.GetProperty("candidates").GetArrayLength());
        var candidate = first.GetProperty("candidates")[0];
        foreach (var field in new[] { "arm", "score", "predictedQuality", "predictedCostUsd", "excludedReason" })
        {
            Assert.True(candidate.TryGetProperty(field, out _), field);
        }

        var outcome = first.GetProperty("outcome");
        Assert.Equal(200, outcome.GetProperty("status").GetInt32());
        Assert.Equal(ids[4].Arm, outcome.GetProperty("arm").GetString());
        Assert.True(outcome.GetProperty("costUsd").GetDouble() > 0);
        Assert.True(outcome.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("feedback").ValueKind);

        var found = await DecisionsAsync(gateway, "?requestId=" + ids[2].Id);
        Assert.Equal(1, found.GetArrayLength());
        Assert.Equal("score", found[0].GetProperty("feedback").GetProperty("kind").GetString());
        Assert.Equal(0.75, found[0].GetProperty("feedback").GetProperty("score").GetDouble());

        var byArm = await DecisionsAsync(gateway, "?arm=" + ids[0].Arm);
        Assert.Equal(ids.Count(x => x.Arm == ids[0].Arm), byArm.GetArrayLength());
        Assert.Equal(0, (await DecisionsAsync(gateway, "?key=key_nobody")).GetArrayLength());

        using var export = await gateway.Admin.GetAsync("/admin/decisions/export?from=2000-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        var records = lines.Select(l => DecisionLogJson.TryParse(System.Text.Encoding.UTF8.GetBytes(l))!).ToList();
        Assert.Equal(ids.Select(x => x.Id), records.Select(r => r.RequestId));   // oldest first
        Assert.Equal(0.75, records[2].Feedback!.Score);
        Assert.All(records, r => Assert.NotNull(r.Embedding));

        using var future = await gateway.Admin.GetAsync("/admin/decisions/export?from=2999-01-01T00:00:00Z");
        Assert.Equal("", await future.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/admin/decisions?limit=0", "limit")]
    [InlineData("/admin/decisions?limit=abc", "limit")]
    [InlineData("/admin/decisions?limit=100000", "limit")]
    [InlineData("/admin/decisions/export?from=yesterday", "from")]
    [InlineData("/admin/decisions/export?to=12:99", "to")]
    public async Task BadQuery_400ProblemNamingTheParameter(string path, string field)
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using var response = await gateway.Admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task EpsilonGreedy_LogsTrueProbabilities()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>
        {
            ["Router:Exploration:Mode"] = "EpsilonGreedy",
            ["Router:Exploration:Epsilon"] = "0.6",
        });
        for (var i = 0; i < 30; i++)
        {
            await gateway.ChatAsync($"Exploring question {i}: compare LSM trees and B-trees.");
        }

        var decisions = await DecisionsAsync(gateway, "?limit=30");
        var propensities = decisions.EnumerateArray().Select(d => d.GetProperty("propensity").GetDouble()).ToList();

        // K = 3 chat arms: the greedy arm has 1 − ε + ε/3 = 0.6, every other ε/3 = 0.2; with 30 draws both occur.
        Assert.All(propensities, p => Assert.True(Math.Abs(p - 0.6) < 1e-9 || Math.Abs(p - 0.2) < 1e-9, $"propensity {p}"));
        Assert.Contains(propensities, p => Math.Abs(p - 0.2) < 1e-9);
        Assert.Contains(propensities, p => Math.Abs(p - 0.6) < 1e-9);
    }

    [Fact]
    public async Task JsonlLog_WriterAbandonedMidStream_EveryAcknowledgedRecordReadBack()
    {
        var directory = Path.Combine(Path.GetTempPath(), "router-decisions-" + Guid.NewGuid().ToString("N"));
        var options = Options.Create(new DecisionLogOptions { Directory = directory, MaxFileBytes = 8192, MaxTotalBytes = 1L << 30 });
        var writer = new JsonlDecisionLog(options, TimeProvider.System);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var id = $"req_{i:D4}";
            await writer.AppendAsync(Record(id), ct);
            acknowledged.Add(id);
        });

        // The writer is never disposed (as if the process were killed); a torn line is left at the end of a file.
        var last = Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Last();
        await using (var torn = new FileStream(last, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            await torn.WriteAsync("{\"type\":\"decision\",\"requestId\":\"req_torn"u8.ToArray());
        }

        var reader = new JsonlDecisionLog(options, TimeProvider.System);
        var read = new List<string>();
        await foreach (var r in reader.ReadAsync(null, null, CancellationToken.None))
        {
            read.Add(r.RequestId);
        }

        Assert.True(Directory.EnumerateFiles(directory).Count() > 1, "rotation should have produced several files");
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
        Assert.Equal(10, (await reader.RecentAsync(10, CancellationToken.None)).Count);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task JsonlLog_OverTotalSize_OldestFilesDeleted()
    {
        var directory = Path.Combine(Path.GetTempPath(), "router-decisions-" + Guid.NewGuid().ToString("N"));
        var options = Options.Create(new DecisionLogOptions { Directory = directory, MaxFileBytes = 4096, MaxTotalBytes = 16384 });
        await using var log = new JsonlDecisionLog(options, TimeProvider.System);
        for (var i = 0; i < 400; i++)
        {
            await log.AppendAsync(Record($"req_{i:D4}"), CancellationToken.None);
        }

        var total = Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1, 16384 + 4096);
        var newest = await log.RecentAsync(1, CancellationToken.None);
        Assert.Equal("req_0399", newest[0].RequestId);
    }

    [RedisFact]
    public async Task RedisLog_RedisKilledAndRestarted_EveryAcknowledgedRecordReadBack()
    {
        using var redis = RedisServer.StartNew();
        var services = new ServiceCollection()
            .AddSingleton(redis.Connect())
            .AddSingleton(Options.Create(new Router.Core.State.RedisStateOptions { Configuration = redis.Configuration, KeyPrefix = ReplicaRedis.NewPrefix() }))
            .AddSingleton(Options.Create(new DecisionLogOptions()))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<RedisDecisionLog>()
            .BuildServiceProvider();
        var log = services.GetRequiredService<RedisDecisionLog>();
        for (var i = 0; i < 150; i++)
        {
            await log.AppendAsync(Record($"req_{i:D4}"), CancellationToken.None);
        }

        redis.Kill();
        redis.Start();
        await RedisServer.WaitConnectedAsync(services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>());
        var read = new List<string>();
        await foreach (var r in log.ReadAsync(DateTimeOffset.UnixEpoch, null, CancellationToken.None))
        {
            read.Add(r.RequestId);
        }

        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"req_{i:D4}"), read);
        Assert.Equal("req_0149", (await log.RecentAsync(1, CancellationToken.None))[0].RequestId);
    }

    private static DecisionLogRecord Record(string id) => new()
    {
        RequestId = id,
        Time = DateTimeOffset.UtcNow,
        Policy = "mixllm",
        ChosenArm = "a",
        Propensity = 0.5,
        Candidates = [new DecisionCandidate("a", 0.5, 0.7, 0.001), new DecisionCandidate("b", 0.4, 0.6, 0.0001)],
        Outcome = new DecisionOutcome("a", 200, 0.001, 12),
    };

    private static async Task<JsonElement> DecisionsAsync(ReplicaHost gateway, string query)
    {
        using var response = await gateway.Admin.GetAsync("/admin/decisions" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("decisions").Clone();
    }
}
