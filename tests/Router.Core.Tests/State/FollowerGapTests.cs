using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>Adversarial: a replica that falls behind while another one snapshots and trims past it.</summary>
public sealed class FollowerGapTests
{
    [Fact]
    public async Task CatchUpAsync_AnotherReplicaTrimmedPastAnInitializedFollower_ReloadsSnapshotInsteadOfSkipping()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = TestState.Options(o =>
        {
            o.TrimMargin = TimeSpan.Zero;
            o.SnapshotsRetained = 1;
        });
        var log = TestState.InProcessLog(options, time);
        var snapshots = new InProcessSnapshotStore(options);
        var (foldA, foldB) = (new HashChainFold(), new HashChainFold());
        var followerA = new LearningStateFollower(log, snapshots, foldA, options, time, NullLogger<LearningStateFollower>.Instance);
        var followerB = new LearningStateFollower(log, snapshots, foldB, options, time, NullLogger<LearningStateFollower>.Instance);

        async Task AppendAsync(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(5));
                await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
            }
        }

        await AppendAsync(0, 5);
        await followerB.CatchUpAsync(CancellationToken.None); // B is initialised and at entry 5
        await AppendAsync(5, 5);
        await followerA.CatchUpAsync(CancellationToken.None);
        Assert.True(await followerA.SnapshotNowAsync(CancellationToken.None)); // trims entries 1..9 (B never saw 6..9)
        await AppendAsync(10, 5);

        await followerA.CatchUpAsync(CancellationToken.None);
        await followerB.CatchUpAsync(CancellationToken.None); // B is behind the trim point: it must not skip 6..9

        Assert.Equal(15, foldA.Count);
        Assert.Equal(foldA.State, foldB.State);
        Assert.Equal(followerA.LastAppliedId, followerB.LastAppliedId);
    }
}
