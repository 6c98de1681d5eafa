using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace EndToEnd.Tests.Replicas;

/// <summary>Replicas and Redis going away: nothing acknowledged (202) is lost, nothing is applied twice (issue 5).</summary>
public sealed class DurabilityTests
{
    [RedisFact]
    public async Task FeedbackBurst_ReplicaStoppedAndRedisRestarted_NoAcknowledgedLossNoDoubleApply()
    {
        using var redis = RedisServer.StartNew();
        var prefix = ReplicaRedis.NewPrefix();
        var bufferA = Path.Combine(Path.GetTempPath(), "router-e2e-buffer-" + Guid.NewGuid().ToString("N"));
        var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix, bufferA));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix));
        var served = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            served.Add((await b.ChatAsync($"Durable question {i}: how do B-trees split pages?")).RequestId);
        }

        // Burst through A, 4 at a time; A is stopped (host disposed) after the tenth acknowledgement.
        var acked = new ConcurrentBag<string>();
        var tenth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Parallel.ForEachAsync(served, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, _) =>
        {
            try
            {
                var (status, _) = await a.FeedbackAsync(new { request_id = id, score = 0.25 });
                if (status == HttpStatusCode.Accepted)
                {
                    acked.Add(id);
                    if (acked.Count >= 10)
                    {
                        tenth.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Not acknowledged: the client would retry.
            }
        });
        await tenth.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await a.DisposeAsync();
        await burst;

        // Redis restarts (SIGKILL, AOF replay); A comes back with the same buffer folder.
        redis.Kill();
        redis.Start();
        await using var a2 = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix, bufferA));

        var log = await WaitForLogAsync(b, acked.Count);
        var feedbackKeys = log.Where(e => e.Kind == "feedback-score").Select(e => e.IdempotencyKey).ToList();
        Assert.Equal(feedbackKeys.Count, feedbackKeys.Distinct().Count());
        Assert.All(acked, id => Assert.Contains("feedback-score:" + id, feedbackKeys));
        await TwoReplicaTests.WaitConvergedAsync(a2, b, feedback: feedbackKeys.Count);

        // The client retries everything: acknowledged ones are duplicates, the rest land; each counted once.
        foreach (var id in served)
        {
            var (status, body) = await a2.FeedbackAsync(new { request_id = id, score = 0.25 });
            Assert.True(status == HttpStatusCode.Accepted, body);
            if (acked.Contains(id))
            {
                Assert.Contains("\"duplicate\"", body, StringComparison.Ordinal);
            }
        }

        var (sa, _) = await TwoReplicaTests.WaitConvergedAsync(a2, b, feedback: served.Count);
        Assert.Equal(served.Count, sa.GetProperty("arms").EnumerateArray().Sum(x => x.GetProperty("scores").GetInt64()));
    }

    [RedisFact]
    public async Task RedisDown_KeepsServingAndBuffersFeedback_FlushedWhenRedisReturns()
    {
        using var redis = RedisServer.StartNew();
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix));
        var before = (await a.ChatAsync("Served while Redis is up")).RequestId;

        redis.Kill();
        var ready = await WaitForReadyAsync(a, "degraded");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        var during = await a.ChatAsync("Served while Redis is down");
        Assert.Equal("mixllm", during.Policy);
        var first = await a.FeedbackAsync(new { request_id = before, thumbs = "down" });
        var second = await a.FeedbackAsync(new { request_id = during.RequestId, score = 1.0 });
        Assert.True(first.Status == HttpStatusCode.Accepted, first.Body);
        Assert.True(second.Status == HttpStatusCode.Accepted, second.Body);
        Assert.Contains("\"buffered\"", second.Body, StringComparison.Ordinal);
        ready = await WaitForReadyAsync(a, "degraded");
        Assert.True(ready.Json.GetProperty("bufferedEvents").GetInt32() >= 2, ready.Json.ToString());
        using (var adminChange = await a.Admin.PutAsync("/admin/policy", new StringContent("{\"lambda\":2}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, adminChange.StatusCode);
            Assert.Equal("application/problem+json", adminChange.Content.Headers.ContentType?.MediaType);
        }

        redis.Start();
        await WaitForReadyAsync(a, "healthy", timeoutSeconds: 15);
        // "healthy" means Redis answers again; the buffer's flush may still be under way, so wait for the log.
        string[] expected = ["feedback-thumbs:" + before, "feedback-score:" + during.RequestId, "usage:" + during.RequestId];
        var log = await ReplicaRedis.ReadLogAsync(a);
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !expected.All(k => log.Any(e => e.IdempotencyKey == k)) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
            log = await ReplicaRedis.ReadLogAsync(a);
        }

        Assert.Contains(log, e => e.IdempotencyKey == "feedback-thumbs:" + before);
        Assert.Contains(log, e => e.IdempotencyKey == "feedback-score:" + during.RequestId);
        Assert.Contains(log, e => e.IdempotencyKey == "usage:" + during.RequestId);
        await a.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == 2 && s.GetProperty("usageApplied").GetInt64() == 2,
            timeoutSeconds: 15, what: "buffered events folded");
    }

    [RedisFact]
    public async Task LateReplica_AfterSnapshotsAndTrim_RestoresSnapshotAndConverges()
    {
        using var redis = RedisServer.StartNew();
        var prefix = ReplicaRedis.NewPrefix();
        var snapshotting = ReplicaHost.OnRedis(redis, prefix);
        snapshotting["Router:State:SnapshotEveryEntries"] = "8";
        snapshotting["Router:State:TrimMargin"] = "00:00:00";
        await using var a = await ReplicaHost.StartAsync(snapshotting);
        for (var i = 0; i < 12; i++)
        {
            var (id, _, _) = await a.ChatAsync($"Snapshot question {i} on compilers");
            Assert.Equal(HttpStatusCode.Accepted, (await a.FeedbackAsync(new { request_id = id, score = i % 2 == 0 ? 0.1 : 0.9 })).Status);
        }

        await a.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == 12, what: "12 feedback on A");
        var log = await ReplicaRedis.ReadLogAsync(a);
        Assert.DoesNotContain(log, e => e.Kind == "arm-added"); // trimmed behind the snapshots: a late replica cannot replay from zero

        await using var late = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis, prefix));
        var follower = late.Services.GetRequiredService<Router.Core.State.LearningStateFollower>();
        var (sa, sl) = await TwoReplicaTests.WaitConvergedAsync(a, late, feedback: 12);
        Assert.Equal(sa.GetProperty("engineHash").GetString(), sl.GetProperty("engineHash").GetString());
        Assert.True(follower.AppliedCount < sa.GetProperty("entriesApplied").GetInt64(), "the late replica replayed only the log after a snapshot");
    }

    private static async Task<List<Router.Core.State.LogEntry>> WaitForLogAsync(ReplicaHost replica, int atLeastFeedback)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                var log = await ReplicaRedis.ReadLogAsync(replica);
                if (log.Count(e => e.Kind == "feedback-score") >= atLeastFeedback || DateTime.UtcNow > deadline)
                {
                    return log;
                }
            }
            catch (Router.Core.State.StateStoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                // Still reconnecting after the restart.
            }

            await Task.Delay(50);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> WaitForReadyAsync(ReplicaHost replica, string status, double timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            using var response = await replica.Http.GetAsync("/health/ready");
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (json.GetProperty("status").GetString() == status)
            {
                return (response.StatusCode, json);
            }

            Assert.True(DateTime.UtcNow < deadline, $"/health/ready never reported {status}: {json}");
            await Task.Delay(50);
        }
    }
}
