using Microsoft.Extensions.Time.Testing;
using Router.Core.State;

namespace Router.Core.Tests.State;

public sealed class InProcessLearningEventLogTests
{
    [Fact]
    public async Task AppendAsync_ManyEvents_ReadBackInAppendOrderWithIncreasingIds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000));
        var log = TestState.InProcessLog(time: time);
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync("feedback", "k" + i, TestState.Payload(i), CancellationToken.None);
            if (i % 3 == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        var all = await TestState.ReadAllAsync(log);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => "k" + i), all.Select(e => e.IdempotencyKey));
        Assert.All(all.Zip(all.Skip(1)), p => Assert.True(p.First.Id < p.Second.Id));
        Assert.Equal(TestState.Payload(4), all[4].Payload.ToArray());
    }

    [Fact]
    public async Task AppendAsync_ConcurrentDuplicates_StoresExactlyOneAndReturnsItsId()
    {
        var log = TestState.InProcessLog();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            Task.Run(async () => await log.AppendAsync("feedback", "req-1", TestState.Payload(1), CancellationToken.None))));

        var all = await TestState.ReadAllAsync(log);
        Assert.Single(all);
        Assert.Single(results, r => r.Status == AppendStatus.Appended);
        Assert.All(results, r => Assert.Equal(all[0].Id, r.Id));
    }

    [Fact]
    public async Task AppendAsync_AfterIdempotencyWindow_AppendsAgain()
    {
        var time = new FakeTimeProvider();
        var log = TestState.InProcessLog(TestState.Options(o => o.IdempotencyWindow = TimeSpan.FromHours(1)), time);

        var first = await log.AppendAsync("feedback", "req-1", TestState.Payload(1), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        var retry = await log.AppendAsync("feedback", "req-1", TestState.Payload(1), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        var late = await log.AppendAsync("feedback", "req-1", TestState.Payload(1), CancellationToken.None);

        Assert.Equal(AppendStatus.Duplicate, retry.Status);
        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(AppendStatus.Appended, late.Status);
    }

    [Fact]
    public async Task TrimBeforeAsync_MidLog_KeepsEntriesFromMinIdAndReportsTrimPoint()
    {
        var log = TestState.InProcessLog();
        var ids = new List<LogId>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await log.AppendAsync("usage", "u" + i, TestState.Payload(i), CancellationToken.None)).Id!.Value);
        }

        var removed = await log.TrimBeforeAsync(ids[2], CancellationToken.None);
        var info = await log.GetInfoAsync(CancellationToken.None);
        var rest = await TestState.ReadAllAsync(log);

        Assert.Equal(2, removed);
        Assert.Equal(ids.Skip(2), rest.Select(e => e.Id));
        Assert.Equal(new LogInfo(4, ids[5], ids[2]), info);
    }

    [Fact]
    public async Task FollowAsync_EntriesAppendedLater_AreYieldedInOrder()
    {
        var log = TestState.InProcessLog();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        var follow = Task.Run(async () =>
        {
            await foreach (var entry in log.FollowAsync(LogId.Zero, TimeSpan.FromSeconds(5), cancellationToken: cts.Token))
            {
                seen.Add(entry.IdempotencyKey);
                if (seen.Count == 3)
                {
                    return;
                }
            }
        });

        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(20);
            await log.AppendAsync("decision", "d" + i, TestState.Payload(i), CancellationToken.None);
        }

        await follow.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["d0", "d1", "d2"], seen);
    }
}
