using Router.Core.State;

namespace Router.Core.Tests.State;

[Collection(SharedRedisCollection.Name)]
public sealed class RedisLearningEventLogTests(SharedRedis redis)
{
    [RedisFact]
    public async Task AppendAsync_ManyEvents_ReadBackInAppendOrder()
    {
        var log = TestState.RedisLog(redis.Connection, SharedRedis.NewPrefix());
        var results = new List<AppendResult>();
        for (var i = 0; i < 25; i++)
        {
            results.Add(await log.AppendAsync(i % 2 == 0 ? "decision" : "feedback", "k" + i, TestState.Payload(i), CancellationToken.None));
        }

        var all = await TestState.ReadAllAsync(log);
        var info = await log.GetInfoAsync(CancellationToken.None);

        Assert.All(results, r => Assert.Equal(AppendStatus.Appended, r.Status));
        Assert.Equal(results.Select(r => r.Id!.Value), all.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => "k" + i), all.Select(e => e.IdempotencyKey));
        Assert.Equal("feedback", all[3].Kind);
        Assert.Equal(TestState.Payload(7), all[7].Payload.ToArray());
        Assert.Equal(25, info.Length);
        Assert.Equal(all[^1].Id, info.LastId);
    }

    [RedisFact]
    public async Task AppendAsync_ConcurrentDuplicatesFromTwoReplicas_StoresExactlyOneEntry()
    {
        var prefix = SharedRedis.NewPrefix();
        using var otherReplica = redis.Server.Connect();
        var logs = new[] { TestState.RedisLog(redis.Connection, prefix), TestState.RedisLog(otherReplica, prefix) };

        // 10 keys, each appended 16 times at once through both connections.
        var results = await Task.WhenAll(Enumerable.Range(0, 160).Select(i =>
            Task.Run(async () => await logs[i % 2].AppendAsync("feedback", "req-" + (i % 10), TestState.Payload(i % 10), CancellationToken.None))));

        var all = await TestState.ReadAllAsync(logs[0]);
        Assert.Equal(10, all.Count);
        Assert.Equal(10, all.Select(e => e.IdempotencyKey).Distinct().Count());
        Assert.Equal(10, results.Count(r => r.Status == AppendStatus.Appended));
        foreach (var r in results)
        {
            Assert.Contains(all, e => e.Id == r.Id);
        }
    }

    [RedisFact]
    public async Task WaitForAppendAsync_AppendOnOtherReplica_WakesBeforeThePollTimeout()
    {
        var prefix = SharedRedis.NewPrefix();
        using var otherReplica = redis.Server.Connect();
        var follower = TestState.RedisLog(redis.Connection, prefix);
        var writer = TestState.RedisLog(otherReplica, prefix);

        // The waiter's own poll would return after 60 s; only the pub/sub notice can end it sooner. The subscription is
        // set up in the background, so append until the notice arrives rather than guess when it is in place.
        var wait = follower.WaitForAppendAsync(LogId.Zero, TimeSpan.FromSeconds(60), CancellationToken.None);
        for (var i = 0; i < 150 && !wait.IsCompleted; i++)
        {
            await writer.AppendAsync("usage", "u" + i, TestState.Payload(i), CancellationToken.None);
            await Task.WhenAny(wait, Task.Delay(100));
        }

        Assert.True(wait.IsCompletedSuccessfully, "pub/sub did not wake the waiter within 15 s of appends");
    }

    [RedisFact]
    public async Task TrimBeforeAsync_MidStream_DeletesOnlyOlderEntriesAndRecordsTrimPoint()
    {
        var log = TestState.RedisLog(redis.Connection, SharedRedis.NewPrefix());
        var ids = new List<LogId>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await log.AppendAsync("usage", "u" + i, TestState.Payload(i), CancellationToken.None)).Id!.Value);
        }

        var removed = await log.TrimBeforeAsync(ids[5], CancellationToken.None);
        var older = await log.TrimBeforeAsync(ids[1], CancellationToken.None); // never moves back
        var rest = await TestState.ReadAllAsync(log);
        var info = await log.GetInfoAsync(CancellationToken.None);

        Assert.Equal(5, removed);
        Assert.Equal(0, older);
        Assert.Equal(ids.Skip(5), rest.Select(e => e.Id));
        Assert.Equal(ids[5], info.TrimmedBefore);
    }
}
