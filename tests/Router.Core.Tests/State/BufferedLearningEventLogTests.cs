using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>Degraded mode against a redis-server this class stops and starts itself.</summary>
public sealed class BufferedLearningEventLogTests
{
    [RedisFact]
    public async Task AppendAsync_RedisDownThenBack_BuffersOnDiskThenFlushesOnceInOrder()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var options = TestState.Options();
        using var log = Buffered(TestState.RedisLog(connection, "degraded", options), options);

        var before = await log.AppendAsync("feedback", "req-0", TestState.Payload(0), CancellationToken.None);
        server.Kill();
        var during = new List<AppendResult>();
        for (var i = 1; i <= 5; i++)
        {
            during.Add(await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None));
        }

        // A client retry of an event that made it to Redis before the outage, buffered again while down.
        during.Add(await log.AppendAsync("feedback", "req-0", TestState.Payload(0), CancellationToken.None));

        Assert.Equal(AppendStatus.Appended, before.Status);
        Assert.All(during, r => Assert.Equal(AppendStatus.Buffered, r.Status));
        Assert.True(log.IsDegraded);
        Assert.Equal(6, log.BufferedCount);
        Assert.Equal(6, File.ReadAllLines(log.BufferPath).Length); // fsynced lines, one per event

        server.Start();
        await RedisDurabilityTests.WaitConnectedAsync(connection);
        Assert.True(await log.TryFlushAsync(CancellationToken.None));

        var all = await TestState.ReadAllAsync(log);
        Assert.Equal(["req-0", "req-1", "req-2", "req-3", "req-4", "req-5"], all.Select(e => e.IdempotencyKey));
        Assert.Equal(TestState.Payload(3), all[3].Payload.ToArray());
        Assert.False(log.IsDegraded);
        Assert.Equal(0, log.BufferedCount);
        Assert.False(File.Exists(log.BufferPath));

        // Back to normal: appends go straight to Redis again.
        var after = await log.AppendAsync("feedback", "req-6", TestState.Payload(6), CancellationToken.None);
        Assert.Equal(AppendStatus.Appended, after.Status);
    }

    [RedisFact]
    public async Task Constructor_BufferLeftByCrashedReplica_IsFlushedByTheNextOne()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var options = TestState.Options();
        server.Kill();
        using (var crashed = Buffered(TestState.RedisLog(connection, "crash", options), options))
        {
            await crashed.AppendAsync("feedback", "req-a", TestState.Payload(1), CancellationToken.None);
            await crashed.AppendAsync("feedback", "req-b", TestState.Payload(2), CancellationToken.None);
        }

        // A torn last line (the process died mid-write) was never acknowledged and is skipped.
        await File.AppendAllTextAsync(Path.Combine(options.Value.EffectiveBufferDirectory, BufferedLearningEventLog.BufferFileName), "{\"kind\":\"feedb");
        using var restarted = Buffered(TestState.RedisLog(connection, "crash", options), options);
        Assert.True(restarted.IsDegraded);
        Assert.Equal(2, restarted.BufferedCount);
        Assert.Equal(AppendStatus.Buffered, (await restarted.AppendAsync("feedback", "req-c", TestState.Payload(3), CancellationToken.None)).Status);
        server.Start();
        await RedisDurabilityTests.WaitConnectedAsync(connection);

        using var cts = new CancellationTokenSource();
        var loop = restarted.RunAsync(cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (restarted.IsDegraded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await cts.CancelAsync();
        await loop;
        Assert.False(restarted.IsDegraded);
        Assert.Equal(["req-a", "req-b", "req-c"], (await TestState.ReadAllAsync(restarted)).Select(e => e.IdempotencyKey));
    }

    [RedisFact]
    public async Task AppendAsync_BufferFull_RejectsInsteadOfGrowing()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var options = TestState.Options(o => o.BufferMaxBytes = 4096);
        using var log = Buffered(TestState.RedisLog(connection, "full", options), options);
        server.Kill();

        var results = new List<AppendResult>();
        for (var i = 0; i < 20; i++)
        {
            results.Add(await log.AppendAsync("feedback", "req-" + i, new byte[300], CancellationToken.None));
        }

        Assert.Contains(results, r => r.Status == AppendStatus.Buffered);
        Assert.Contains(results, r => r.Status == AppendStatus.Rejected);
        Assert.All(results.SkipWhile(r => r.Status == AppendStatus.Buffered), r => Assert.False(r.IsAccepted));
        Assert.True(new FileInfo(log.BufferPath).Length <= 4096);
    }

    private static BufferedLearningEventLog Buffered(ILearningEventLog inner, IOptions<LearningStateOptions> options) =>
        new(inner, options, TimeProvider.System, NullLogger<BufferedLearningEventLog>.Instance);
}
