using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Router.Core.State;

namespace Router.Core.Tests.State;

[Collection(SharedRedisCollection.Name)]
public sealed class DecisionRecordStoreTests(SharedRedis redis)
{
    [Fact]
    public async Task GetAsync_InProcess_ReturnsRecordUntilDefaultTtlThenNull()
    {
        var time = new FakeTimeProvider();
        var store = new InProcessDecisionRecordStore(TestState.Options(), time);
        await store.SetAsync("req-1", TestState.Payload(1), CancellationToken.None);

        time.Advance(TimeSpan.FromHours(23.9));
        var late = await store.GetAsync("req-1", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(0.2));
        var expired = await store.GetAsync("req-1", CancellationToken.None);

        Assert.Equal(TestState.Payload(1), late);
        Assert.Null(expired);
        Assert.Null(await store.GetAsync("never", CancellationToken.None));
    }

    [Fact]
    public async Task SetAsync_InProcessManyExpiredRecords_SweepBoundsMemory()
    {
        var time = new FakeTimeProvider();
        var store = new InProcessDecisionRecordStore(TestState.Options(), time);
        for (var i = 0; i < 1000; i++)
        {
            await store.SetAsync("old-" + i, TestState.Payload(i), TimeSpan.FromMinutes(1), CancellationToken.None);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 100; i++)
        {
            await store.SetAsync("new-" + i, TestState.Payload(i), CancellationToken.None);
        }

        Assert.True(store.Count < 200, $"{store.Count} records held after the sweep");
    }

    [RedisFact]
    public async Task GetAsync_Redis_AnyReplicaReadsRecordUntilItsTtlExpires()
    {
        var prefix = SharedRedis.NewPrefix();
        using var replicaB = redis.Server.Connect();
        var a = new RedisDecisionRecordStore(redis.Connection, SharedRedis.Prefix(prefix), TestState.Options(), TimeProvider.System, NullLogger<RedisDecisionRecordStore>.Instance);
        var b = new RedisDecisionRecordStore(replicaB, SharedRedis.Prefix(prefix), TestState.Options(), TimeProvider.System, NullLogger<RedisDecisionRecordStore>.Instance);

        await a.SetAsync("req-short", TestState.Payload(1), TimeSpan.FromSeconds(2), CancellationToken.None);
        await a.SetAsync("req-long", TestState.Payload(2), CancellationToken.None);
        var seenByB = await b.GetAsync("req-short", CancellationToken.None);
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(prefix + ":decision:req-long");
        var expired = false;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !expired && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100); // Redis expires the short record on its own clock
            expired = await b.GetAsync("req-short", CancellationToken.None) is null;
        }

        Assert.Equal(TestState.Payload(1), seenByB);
        Assert.True(expired, "the 2 s record was still there after 15 s");
        Assert.Equal(TestState.Payload(2), await b.GetAsync("req-long", CancellationToken.None));
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
    }
}
