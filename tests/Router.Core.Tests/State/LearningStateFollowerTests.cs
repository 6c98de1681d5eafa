using Microsoft.Extensions.Options;
using Router.Core.State;

namespace Router.Core.Tests.State;

[Collection(SharedRedisCollection.Name)]
public sealed class LearningStateFollowerTests(SharedRedis redis)
{
    [RedisFact]
    public async Task RunAsync_TwoReplicasOnOneStream_ConvergeOnBitIdenticalState()
    {
        var prefix = SharedRedis.NewPrefix();
        using var replicaB = redis.Server.Connect();
        var (logA, logB) = (TestState.RedisLog(redis.Connection, prefix), TestState.RedisLog(replicaB, prefix));
        var (foldA, foldB) = (new HashChainFold(), new HashChainFold());
        var followerA = TestState.Follower(logA, new RedisSnapshotStore(redis.Connection, SharedRedis.Prefix(prefix), TestState.Options()), foldA);
        var followerB = TestState.Follower(logB, new RedisSnapshotStore(replicaB, SharedRedis.Prefix(prefix), TestState.Options()), foldB);
        using var cts = new CancellationTokenSource();
        var runs = new[] { followerA.RunAsync(cts.Token), followerB.RunAsync(cts.Token) };

        // A burst of concurrent appends through both replicas, with client retries (duplicates) mixed in.
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? logA : logB).AppendAsync("feedback", "req-" + (i % 200), TestState.Payload(i % 200), CancellationToken.None))));
        var last = results.Max(r => r.Id!.Value);

        Assert.True(await followerA.WaitForAsync(last, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.True(await followerB.WaitForAsync(last, TimeSpan.FromSeconds(10), CancellationToken.None));
        await cts.CancelAsync();
        await Task.WhenAll(runs);

        Assert.Equal(200, foldA.Count);
        Assert.Equal(foldA.State, foldB.State);
        Assert.Equal(followerA.LastAppliedId, followerB.LastAppliedId);
        Assert.True(followerA.IsCaughtUp);
        Assert.Equal(TimeSpan.Zero, followerA.Lag);
    }

    [RedisFact]
    public async Task CatchUpAsync_FromSnapshotThenReplay_EqualsFullReplay_Redis()
    {
        var prefix = SharedRedis.NewPrefix();
        var options = TestState.Options(o => o.TrimAfterSnapshot = false);
        await SnapshotPlusReplayEqualsFullReplay(
            TestState.RedisLog(redis.Connection, prefix, options),
            new RedisSnapshotStore(redis.Connection, SharedRedis.Prefix(prefix), options),
            options);
    }

    [Fact]
    public async Task CatchUpAsync_FromSnapshotThenReplay_EqualsFullReplay_InProcess()
    {
        var options = TestState.Options(o => o.TrimAfterSnapshot = false);
        await SnapshotPlusReplayEqualsFullReplay(TestState.InProcessLog(options), new InProcessSnapshotStore(options), options);
    }

    [RedisFact]
    public async Task SnapshotNowAsync_TrimsBehindOldestRetainedSnapshot_AndAFreshReplicaStillConverges()
    {
        var prefix = SharedRedis.NewPrefix();
        var options = TestState.Options(o =>
        {
            o.SnapshotsRetained = 2;
            o.TrimMargin = TimeSpan.Zero; // trim as hard as allowed: exactly what the oldest snapshot needs
        });
        var log = TestState.RedisLog(redis.Connection, prefix, options);
        var snapshots = new RedisSnapshotStore(redis.Connection, SharedRedis.Prefix(prefix), options);
        var writerFold = new HashChainFold();
        var writer = TestState.Follower(log, snapshots, writerFold, options);

        var snapshotIds = new List<LogId>();
        for (var round = 0; round < 3; round++)
        {
            await AppendAsync(log, round * 10, 10);
            await Task.Delay(5); // the next round gets a later millisecond, so trimming by ms is visible
            await writer.CatchUpAsync(CancellationToken.None);
            Assert.True(await writer.SnapshotNowAsync(CancellationToken.None));
            snapshotIds.Add(writer.LastSnapshotId!.Value);
        }

        await AppendAsync(log, 30, 5);
        var oldestKept = await snapshots.GetOldestRetainedAsync(CancellationToken.None);
        var info = await log.GetInfoAsync(CancellationToken.None);
        var remaining = await TestState.ReadAllAsync(log);

        // Two snapshots kept (rounds 2 and 3); the log keeps everything after the oldest of them.
        Assert.Equal(snapshotIds[1], oldestKept);
        Assert.True(info.TrimmedBefore > LogId.Zero);
        Assert.True(info.TrimmedBefore <= snapshotIds[1].Next);
        Assert.DoesNotContain(remaining, e => e.Id <= snapshotIds[0]);
        Assert.True(remaining.Count(e => e.Id > snapshotIds[1]) == 15, "entries after the oldest kept snapshot must all remain");

        // A replica starting now restores the newest snapshot and replays the rest: same state as the writer.
        await writer.CatchUpAsync(CancellationToken.None);
        var freshFold = new HashChainFold();
        var fresh = TestState.Follower(log, snapshots, freshFold, options);
        await fresh.CatchUpAsync(CancellationToken.None);
        Assert.Equal(35, freshFold.Count);
        Assert.Equal(writerFold.State, freshFold.State);
    }

    [Fact]
    public async Task RunAsync_ApplyThrowsForOneEntry_SkipsItCountsItAndKeepsGoing()
    {
        var log = TestState.InProcessLog();
        var fold = new HashChainFold { ThrowOnKind = "poison" };
        var follower = TestState.Follower(log, new InProcessSnapshotStore(TestState.Options()), fold);
        await log.AppendAsync("feedback", "a", TestState.Payload(1), CancellationToken.None);
        await log.AppendAsync("poison", "b", TestState.Payload(2), CancellationToken.None);
        var last = (await log.AppendAsync("feedback", "c", TestState.Payload(3), CancellationToken.None)).Id!.Value;

        await follower.CatchUpAsync(CancellationToken.None);

        Assert.Equal(last, follower.LastAppliedId);
        Assert.Equal(2, fold.Count);
        Assert.Equal(1, follower.FailedCount);
    }

    [Fact]
    public async Task RunAsync_EveryNEntries_TakesPeriodicSnapshots()
    {
        var options = TestState.Options(o => o.SnapshotEveryEntries = 10);
        var log = TestState.InProcessLog(options);
        var snapshots = new InProcessSnapshotStore(options);
        var follower = TestState.Follower(log, snapshots, new HashChainFold(), options);
        using var cts = new CancellationTokenSource();
        var run = follower.RunAsync(cts.Token);

        LogId last = default;
        for (var i = 0; i < 25; i++)
        {
            last = (await log.AppendAsync("usage", "u" + i, TestState.Payload(i), CancellationToken.None)).Id!.Value;
            await follower.WaitForAsync(last, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        await cts.CancelAsync();
        await run;
        var latest = await snapshots.LoadLatestAsync(CancellationToken.None);
        Assert.NotNull(latest);
        Assert.True(latest.LastAppliedId < last, "25 entries with a snapshot every 10: the last 5 are not in a snapshot");
        Assert.True(follower.LastSnapshotId >= latest.LastAppliedId);
    }

    private static async Task SnapshotPlusReplayEqualsFullReplay(ILearningEventLog log, ISnapshotStore snapshots, IOptions<LearningStateOptions> options)
    {
        await AppendAsync(log, 0, 40);
        var first = TestState.Follower(log, snapshots, new HashChainFold(), options);
        await first.CatchUpAsync(CancellationToken.None);
        Assert.True(await first.SnapshotNowAsync(CancellationToken.None));
        await AppendAsync(log, 40, 25);

        var fromSnapshotFold = new HashChainFold();
        var fromSnapshot = TestState.Follower(log, snapshots, fromSnapshotFold, options);
        await fromSnapshot.CatchUpAsync(CancellationToken.None);

        var fullFold = new HashChainFold();
        var full = TestState.Follower(log, new InProcessSnapshotStore(options), fullFold, options);
        await full.CatchUpAsync(CancellationToken.None);

        Assert.Equal(25, fromSnapshot.AppliedCount); // only the tail was replayed
        Assert.Equal(65, full.AppliedCount);
        Assert.Equal(65, fromSnapshotFold.Count);
        Assert.Equal(fullFold.State, fromSnapshotFold.State);
        Assert.Equal(full.LastAppliedId, fromSnapshot.LastAppliedId);
    }

    private static async Task AppendAsync(ILearningEventLog log, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await log.AppendAsync(i % 3 == 0 ? "decision" : "feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
        }
    }
}
