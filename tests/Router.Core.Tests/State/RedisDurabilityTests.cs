using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>Tests that kill and restart their own redis-server.</summary>
public sealed class RedisDurabilityTests
{
    [RedisFact]
    public async Task AppendAsync_RedisKilledAndRestartedWithAof_LosesNoAcknowledgedAppend()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var log = TestState.RedisLog(connection, "durable");
        using var stop = new CancellationTokenSource();

        // Append continuously; kill -9 Redis in the middle; every append that was acknowledged must survive.
        var acknowledged = new List<(string Key, LogId Id)>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var r = await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
                    lock (acknowledged)
                    {
                        acknowledged.Add(("req-" + i, r.Id!.Value));
                    }
                }
                catch (StateStoreUnavailableException)
                {
                    return;
                }
            }
        });
        int Count()
        {
            lock (acknowledged)
            {
                return acknowledged.Count;
            }
        }

        for (var deadline = DateTime.UtcNow.AddSeconds(10); Count() < 20 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(10); // a loaded machine fsyncs slowly: kill once a fair number are acknowledged, not after a fixed time
        }

        server.Kill();
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        server.Start();
        await RedisServer.WaitConnectedAsync(connection);

        var all = await TestState.ReadAllAsync(log);
        Assert.True(acknowledged.Count >= 20, $"only {acknowledged.Count} appends before the kill");
        var stored = all.ToDictionary(e => e.IdempotencyKey, e => e.Id);
        foreach (var (key, id) in acknowledged)
        {
            Assert.True(stored.TryGetValue(key, out var storedId), $"acknowledged {key} lost");
            Assert.Equal(id, storedId);
        }

        // The idempotency keys survived too: a retry of an acknowledged append is still a duplicate.
        var retry = await log.AppendAsync("feedback", acknowledged[0].Key, TestState.Payload(0), CancellationToken.None);
        Assert.Equal(AppendStatus.Duplicate, retry.Status);
    }

    [RedisFact]
    public async Task RunAsync_RedisRestartsUnderAFollower_ResumesAndAppliesEachEntryOnce()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        var options = TestState.Options();
        var log = TestState.RedisLog(connection, "resume", options);
        var fold = new HashChainFold();
        var follower = TestState.Follower(log, new RedisSnapshotStore(connection, SharedRedis.Prefix("resume"), options), fold, options);
        using var cts = new CancellationTokenSource();
        var run = follower.RunAsync(cts.Token);
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None);
        }

        server.Kill();
        await Task.Delay(300); // the follower hits the outage and backs off
        server.Start();
        await RedisServer.WaitConnectedAsync(connection);
        LogId last = default;
        for (var i = 20; i < 40; i++)
        {
            last = (await log.AppendAsync("feedback", "req-" + i, TestState.Payload(i), CancellationToken.None)).Id!.Value;
        }

        Assert.True(await follower.WaitForAsync(last, TimeSpan.FromSeconds(10), CancellationToken.None));
        await cts.CancelAsync();
        await run;
        var reference = new HashChainFold();
        foreach (var entry in await TestState.ReadAllAsync(log))
        {
            reference.Apply(entry);
        }

        Assert.Equal(40, fold.Count);
        Assert.Equal(reference.State, fold.State);
    }

    [RedisFact]
    public async Task SeedAsync_RedisDownAtStartUp_SeedsOnceRedisIsBack()
    {
        using var server = RedisServer.StartNew();
        using var connection = server.Connect();
        await using var registry = new RedisArmRegistryStore(
            connection, SharedRedis.Prefix("seed"), TestState.Options(o => o.RegistryRefreshInterval = TimeSpan.FromMilliseconds(100)),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisArmRegistryStore>.Instance);
        server.Kill();
        await registry.StartAsync(CancellationToken.None); // does not throw: keeps version 0

        await Assert.ThrowsAsync<StateStoreUnavailableException>(async () =>
            await registry.SeedAsync([new Router.Core.Arms.ArmDefinition { Name = "configured" }], Router.Core.Routing.RoutingPolicy.Default, CancellationToken.None));
        Assert.Equal(0, registry.Current.Version);
        server.Start();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (registry.Current.Version == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, registry.Current.Version);
        Assert.NotNull(registry.Current.FindArm("configured"));
    }

}
