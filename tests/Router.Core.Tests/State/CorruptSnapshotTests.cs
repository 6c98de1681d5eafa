using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>Adversarial: the newest snapshot cannot be restored (truncated, written by a buggy or newer version).</summary>
[Collection(SharedRedisCollection.Name)]
public sealed class CorruptSnapshotTests(SharedRedis redis)
{
    [Fact]
    public Task RunAsync_NewestSnapshotCorrupt_RestoresTheOlderOneAndConverges_InProcess()
    {
        var options = Options();
        return NewestSnapshotCorruptAsync(TestState.InProcessLog(options, Time()), new InProcessSnapshotStore(options), options);
    }

    [RedisFact]
    public Task RunAsync_NewestSnapshotCorrupt_RestoresTheOlderOneAndConverges_Redis()
    {
        var prefix = SharedRedis.NewPrefix();
        var options = Options();
        return NewestSnapshotCorruptAsync(
            TestState.RedisLog(redis.Connection, prefix, options), new RedisSnapshotStore(redis.Connection, SharedRedis.Prefix(prefix), options), options);
    }

    private static FakeTimeProvider Time() => new(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static IOptions<LearningStateOptions> Options() => TestState.Options(o =>
    {
        o.TrimMargin = TimeSpan.Zero;
        o.SnapshotsRetained = 2;
    });

    private static async Task NewestSnapshotCorruptAsync(ILearningEventLog log, ISnapshotStore snapshots, IOptions<LearningStateOptions> options)
    {
        var foldA = new HashChainFold();
        var followerA = TestState.Follower(log, snapshots, foldA, options);
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
            if (i == 9)
            {
                await followerA.CatchUpAsync(CancellationToken.None);
                Assert.True(await followerA.SnapshotNowAsync(CancellationToken.None)); // good, older
            }
        }

        await followerA.CatchUpAsync(CancellationToken.None);
        // The newest snapshot is garbage (e.g. cut short): a fold cannot restore it.
        Assert.True(await snapshots.SaveAsync(new StateSnapshot(new byte[] { 1, 2, 3 }, followerA.LastAppliedId, DateTimeOffset.UnixEpoch), CancellationToken.None));
        for (var i = 20; i < 25; i++)
        {
            await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
        }

        await followerA.CatchUpAsync(CancellationToken.None);

        // A replica starting now must not die on it: it restores the older snapshot and replays the rest.
        var foldC = new HashChainFold();
        var followerC = new LearningStateFollower(log, snapshots, foldC, options, TimeProvider.System, NullLogger<LearningStateFollower>.Instance);
        using var cts = new CancellationTokenSource();
        var run = followerC.RunAsync(cts.Token);
        var converged = await followerC.WaitForAsync(followerA.LastAppliedId, TimeSpan.FromSeconds(10), CancellationToken.None);
        await cts.CancelAsync();
        await run;

        Assert.True(converged);
        Assert.Equal(25, foldC.Count);
        Assert.Equal(foldA.State, foldC.State);
    }
}
