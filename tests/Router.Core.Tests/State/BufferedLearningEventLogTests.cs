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
        await RedisServer.WaitConnectedAsync(connection);
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
    public async Task AppendAsync_RedisOutOfMemory_BuffersOnDiskThenFlushesWhenMemoryIsFreed()
    {
        // deploy/ runs Redis with maxmemory and the noeviction policy: when full it refuses writes ("OOM command not
        // allowed") instead of evicting keys (the registry, API keys) or being killed by the container limit.
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        using var admin = StackExchange.Redis.ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        var options = TestState.Options();
        using var log = Buffered(TestState.RedisLog(connection, "oom", options), options);

        var before = await log.AppendAsync("feedback", "req-0", TestState.Payload(0), CancellationToken.None);
        await redis.ConfigSetAsync("maxmemory-policy", "noeviction");
        await redis.ConfigSetAsync("maxmemory", "1"); // below what the server already uses: every write is refused
        var during = await log.AppendAsync("feedback", "req-1", TestState.Payload(1), CancellationToken.None);

        Assert.Equal(AppendStatus.Appended, before.Status);
        Assert.Equal(AppendStatus.Buffered, during.Status);
        Assert.True(log.IsDegraded);
        Assert.False(await log.TryFlushAsync(CancellationToken.None)); // still full: the event stays on disk
        Assert.Equal(1, log.BufferedCount);

        await redis.ConfigSetAsync("maxmemory", "0");
        Assert.True(await log.TryFlushAsync(CancellationToken.None));
        Assert.Equal(["req-0", "req-1"], (await TestState.ReadAllAsync(log)).Select(e => e.IdempotencyKey));
        Assert.False(log.IsDegraded);
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
        await RedisServer.WaitConnectedAsync(connection);

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
    public async Task AppendAsync_PartialLineLeftByAFailedWrite_IsCutBeforeTheNextEventIsBuffered()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var options = TestState.Options();
        using var log = Buffered(TestState.RedisLog(connection, "torn", options), options);
        server.Kill();

        // What a write that failed half-way (disk full) leaves behind: an unacknowledged line without its newline.
        await File.WriteAllTextAsync(log.BufferPath, "{\"kind\":\"feedb");
        var buffered = await log.AppendAsync("feedback", "req-x", TestState.Payload(7), CancellationToken.None);

        Assert.Equal(AppendStatus.Buffered, buffered.Status);
        Assert.Single(File.ReadAllLines(log.BufferPath)); // the acknowledged event is a whole line of its own
        server.Start();
        await RedisServer.WaitConnectedAsync(connection);
        Assert.True(await log.TryFlushAsync(CancellationToken.None));
        var all = await TestState.ReadAllAsync(log);
        Assert.Equal(["req-x"], all.Select(e => e.IdempotencyKey));
        Assert.Equal(TestState.Payload(7), all[0].Payload.ToArray());
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

    [RedisFact]
    public async Task TryFlushAsync_TwoReplicasFlushOverlappingBuffersAtOnce_EachKeyOnceAndEachReplicasOrderKept()
    {
        using var server = RedisServer.StartNew();
        using var connectionA = server.Connect();
        using var connectionB = server.Connect();
        var (optionsA, optionsB) = (TestState.Options(), TestState.Options());
        using var logA = Buffered(TestState.RedisLog(connectionA, "twoflush", optionsA), optionsA);
        using var logB = Buffered(TestState.RedisLog(connectionB, "twoflush", optionsB), optionsB);
        server.Kill();

        // While Redis is down each replica buffers 40 events; req-30..39 are client retries sent to both replicas.
        var keysA = Enumerable.Range(0, 40).Select(i => "req-" + i).ToList();
        var keysB = Enumerable.Range(30, 40).Select(i => "req-" + i).ToList();
        foreach (var (a, b) in keysA.Zip(keysB))
        {
            Assert.Equal(AppendStatus.Buffered, (await logA.AppendAsync("feedback", a, TestState.Payload(1), CancellationToken.None)).Status);
            Assert.Equal(AppendStatus.Buffered, (await logB.AppendAsync("feedback", b, TestState.Payload(2), CancellationToken.None)).Status);
        }

        server.Start();
        await RedisServer.WaitConnectedAsync(connectionA);
        await RedisServer.WaitConnectedAsync(connectionB);
        var flushed = await Task.WhenAll(
            Task.Run(() => logA.TryFlushAsync(CancellationToken.None)),
            Task.Run(() => logB.TryFlushAsync(CancellationToken.None)));

        Assert.All(flushed, Assert.True);
        var keys = (await TestState.ReadAllAsync(logA)).Select(e => e.IdempotencyKey).ToList();
        Assert.Equal(70, keys.Count);
        Assert.Equal(70, keys.Distinct().Count());
        // Each replica's events keep its order (a shared retry lands where whichever replica flushed it first put it).
        Assert.Equal(keysA.Except(keysB), keys.Where(k => keysA.Contains(k) && !keysB.Contains(k)));
        Assert.Equal(keysB.Except(keysA), keys.Where(k => keysB.Contains(k) && !keysA.Contains(k)));
        Assert.Equal(keysA.Intersect(keysB), keys.Where(k => keysA.Contains(k) && keysB.Contains(k)));
    }

    private static BufferedLearningEventLog Buffered(ILearningEventLog inner, IOptions<LearningStateOptions> options) =>
        new(inner, options, TimeProvider.System, NullLogger<BufferedLearningEventLog>.Instance);
}
