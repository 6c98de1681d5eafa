using Microsoft.Extensions.Logging.Abstractions;
using Router.Core.Arms;
using Router.Core.Routing;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Core.Tests.State;

[Collection(SharedRedisCollection.Name)]
public sealed class ArmRegistryStoreTests(SharedRedis redis)
{
    private static readonly ArmDefinition Cheap = new()
    {
        Name = "cheap",
        BaseUrl = new Uri("http://127.0.0.1:9/v1"),
        InputPricePerMillion = 0.1,
        OutputPricePerMillion = 0.2,
        Tags = ["code", "fast"],
        Timeout = TimeSpan.FromSeconds(12.5),
        Provider = ProviderKind.Simulated,
    };

    private static readonly ArmDefinition Strong = new() { Name = "strong", InputPricePerMillion = 10, OutputPricePerMillion = 30, UpstreamModel = "gpt-x" };

    [Fact]
    public Task Changes_InProcess_FollowTheContract() =>
        ChangesFollowTheContract(new InProcessArmRegistryStore(NullLogger<InProcessArmRegistryStore>.Instance));

    [RedisFact]
    public async Task Changes_Redis_FollowTheContract()
    {
        await using var store = RedisStore(redis.Connection, SharedRedis.NewPrefix());
        await store.StartAsync(CancellationToken.None);
        await ChangesFollowTheContract(store);
    }

    [RedisFact]
    public async Task AddArmAsync_OnReplicaA_IsSeenByReplicaBViaPubSub()
    {
        var prefix = SharedRedis.NewPrefix();
        using var connectionB = redis.Server.Connect();
        // Periodic check off (1 h): only pub/sub can deliver the change in time.
        await using var a = RedisStore(redis.Connection, prefix, TimeSpan.FromHours(1));
        await using var b = RedisStore(connectionB, prefix, TimeSpan.FromHours(1));
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        var changed = new TaskCompletionSource<ArmRegistrySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Changed += (_, s) =>
        {
            if (s.FindArm("strong") is not null)
            {
                changed.TrySetResult(s);
            }
        };

        var result = await a.AddArmAsync(Strong, CancellationToken.None);
        var seen = await changed.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the 1 h periodic check cannot be what delivers it

        Assert.Equal(result.Version, seen.Version);
        Assert.Equal(Strong, seen.FindArm("strong")! with { Tags = Strong.Tags }); // Tags compare by reference in a record
        Assert.Equal(result.Version, b.Current.Version);

        // Policy changes travel the same way.
        await a.SetKeyPolicyAsync("key-1", new RoutingPolicy { Lambda = 0.25 }, null, CancellationToken.None);
        await WaitUntil(() => b.Current.PolicyFor("key-1").Lambda == 0.25, TimeSpan.FromSeconds(15));
    }

    [RedisFact]
    public async Task RefreshLoop_PubSubMessageLost_HealsByVersionCheck()
    {
        var prefix = SharedRedis.NewPrefix();
        await using var b = RedisStore(redis.Connection, prefix, TimeSpan.FromMilliseconds(200));
        await b.StartAsync(CancellationToken.None);

        // A change written behind the store's back (no PUBLISH): as if the message were lost.
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync("{" + prefix + "}:registry:arms", "cheap", System.Text.Json.JsonSerializer.Serialize(Cheap, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        await db.StringIncrementAsync("{" + prefix + "}:registry:version");

        await WaitUntil(() => b.Current.FindArm("cheap") is not null, TimeSpan.FromSeconds(15));
        Assert.Equal(1, b.Current.Version);
    }

    [RedisFact]
    public async Task FindArmAsync_MissInCache_ReadsThroughToRedis()
    {
        var prefix = SharedRedis.NewPrefix();
        await using var a = RedisStore(redis.Connection, prefix, TimeSpan.FromHours(1));
        await using var b = RedisStore(redis.Connection, prefix, TimeSpan.FromHours(1)); // never started: no subscription
        await a.StartAsync(CancellationToken.None);
        await a.AddArmAsync(Cheap, CancellationToken.None);

        Assert.Null(b.Current.FindArm("cheap"));
        var found = await b.FindArmAsync("cheap", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(Cheap.Timeout, found.Timeout);
        Assert.Equal(Cheap.Provider, found.Provider);
        Assert.Equal(Cheap.BaseUrl, found.BaseUrl);
        Assert.Equal(Cheap.Tags, found.Tags);
    }

    [Fact]
    public async Task AddArmAsync_InProcess_KeepsTransport()
    {
        var store = new InProcessArmRegistryStore(NullLogger<InProcessArmRegistryStore>.Instance);
        await store.AddArmAsync(Cheap with { Transport = TransportJson() }, CancellationToken.None);

        Assert.Equal(TransportJson().GetRawText(), store.Current.FindArm("cheap")!.Transport!.Value.GetRawText());
    }

    [RedisFact]
    public async Task AddArmAsync_WithTransport_StoredVerbatimAndLoadedByAFreshStore()
    {
        var prefix = SharedRedis.NewPrefix();
        await using (var a = RedisStore(redis.Connection, prefix))
        {
            await a.StartAsync(CancellationToken.None);
            await a.AddArmAsync(Cheap with { Transport = TransportJson() }, CancellationToken.None);
            await a.UpdateArmAsync(Strong with { Name = "cheap", Transport = TransportJson("2025-01-01") }, null, CancellationToken.None);
        }

        // A restart (or another replica): a store that never saw the change reads it from Redis.
        await using var b = RedisStore(redis.Connection, prefix);
        await b.StartAsync(CancellationToken.None);
        var loaded = b.Current.FindArm("cheap");

        Assert.NotNull(loaded);
        Assert.Equal(TransportJson("2025-01-01").GetRawText(), loaded.Transport!.Value.GetRawText());
        Assert.Equal("gpt-x", loaded.UpstreamModel);
    }

    [RedisFact]
    public async Task Refresh_EntryWrittenBeforeTransportExisted_LoadsWithoutTransport()
    {
        var prefix = SharedRedis.NewPrefix();
        var db = redis.Connection.GetDatabase();
        // Exactly what the registry stored before ArmDefinition.Transport existed.
        const string OldEntry = """
            {"name":"legacy","provider":"Simulated","inputPricePerMillion":0.5,"outputPricePerMillion":1.5,"maxConcurrency":4,"timeout":"00:00:30","enabled":true,"tags":["code"],"timeToFirstTokenSeconds":0.2,"tokensPerSecond":80,"effectiveUpstreamModel":"legacy"}
            """;
        await db.HashSetAsync("{" + prefix + "}:registry:arms", "legacy", OldEntry);
        await db.StringSetAsync("{" + prefix + "}:registry:version", 3);

        await using var store = RedisStore(redis.Connection, prefix);
        await store.StartAsync(CancellationToken.None);
        var legacy = store.Current.FindArm("legacy");

        Assert.Equal(3, store.Current.Version);
        Assert.NotNull(legacy);
        Assert.Null(legacy.Transport);
        Assert.Equal(ProviderKind.Simulated, legacy.Provider);
        Assert.Equal(TimeSpan.FromSeconds(30), legacy.Timeout);
        Assert.Equal(["code"], legacy.Tags);

        // Updating it writes the new form, which reads back with its transport settings.
        await store.UpdateArmAsync(legacy with { Transport = TransportJson() }, null, CancellationToken.None);
        Assert.Contains("\"transport\":{\"apiVersion\"", (string?)await db.HashGetAsync("{" + prefix + "}:registry:arms", "legacy"), StringComparison.Ordinal);
        Assert.Equal(TransportJson().GetRawText(), store.Current.FindArm("legacy")!.Transport!.Value.GetRawText());
    }

    private static System.Text.Json.JsonElement TransportJson(string apiVersion = "2024-06-01")
    {
        using var document = System.Text.Json.JsonDocument.Parse($$$"""{"apiVersion":"{{{apiVersion}}}","simulation":{"reply":"hi {arm}","maxCompletionTokens":3}}""");
        return document.RootElement.Clone();
    }

    private static async Task ChangesFollowTheContract(IArmRegistryStore store)
    {
        Assert.Equal(0, store.Current.Version);
        Assert.Equal(RoutingPolicy.Default, store.Current.PolicyFor(null));

        var seeded = await store.SeedAsync([Strong, Cheap], new RoutingPolicy { Lambda = 2 }, CancellationToken.None);
        var seedAgain = await store.SeedAsync([Cheap], RoutingPolicy.Default, CancellationToken.None);
        Assert.Equal(new RegistryChangeResult(RegistryChangeStatus.Applied, 1), seeded);
        Assert.Equal(RegistryChangeStatus.AlreadyExists, seedAgain.Status);
        Assert.Equal(["cheap", "strong"], store.Current.Arms.Select(a => a.Name));
        Assert.Equal(2, store.Current.PolicyFor(null).Lambda);
        Assert.Equal(RoutingPolicy.Default.Alpha, store.Current.PolicyFor(null).Alpha);

        Assert.Equal(RegistryChangeStatus.AlreadyExists, (await store.AddArmAsync(Cheap, CancellationToken.None)).Status);
        Assert.Equal(RegistryChangeStatus.NotFound, (await store.UpdateArmAsync(Cheap with { Name = "ghost" }, null, CancellationToken.None)).Status);
        Assert.Equal(RegistryChangeStatus.NotFound, (await store.RemoveArmAsync("ghost", null, CancellationToken.None)).Status);
        Assert.Equal(RegistryChangeStatus.VersionConflict, (await store.UpdateArmAsync(Cheap with { Enabled = false }, 99, CancellationToken.None)).Status);
        Assert.Equal(1, store.Current.Version);

        var disabled = await store.UpdateArmAsync(Cheap with { Enabled = false }, 1, CancellationToken.None);
        Assert.Equal(new RegistryChangeResult(RegistryChangeStatus.Applied, 2), disabled);
        Assert.False(store.Current.FindArm("cheap")!.Enabled);

        var added = await store.AddArmAsync(Cheap with { Name = "added" }, CancellationToken.None);
        Assert.Equal(3, added.Version);
        Assert.Equal(Cheap.Tags, (await store.FindArmAsync("added", CancellationToken.None))!.Tags);

        Assert.True((await store.SetKeyPolicyAsync("key-1", new RoutingPolicy { Beta = 0.5 }, null, CancellationToken.None)).Applied);
        Assert.Equal(0.5, store.Current.PolicyFor("key-1").Beta);
        Assert.Equal(2, store.Current.PolicyFor("key-1").Lambda); // inherited from the global policy
        Assert.Equal(RoutingPolicy.Default.Beta, store.Current.PolicyFor("key-2").Beta);
        Assert.True((await store.SetKeyPolicyAsync("key-1", null, null, CancellationToken.None)).Applied);
        Assert.Equal(RegistryChangeStatus.NotFound, (await store.SetKeyPolicyAsync("key-1", null, null, CancellationToken.None)).Status);

        Assert.True((await store.SetGlobalPolicyAsync(new RoutingPolicy { Lambda = 0.5, TimeLimitSeconds = 30 }, null, CancellationToken.None)).Applied);
        Assert.Equal(30, store.Current.PolicyFor(null).TimeLimitSeconds);

        var removed = await store.RemoveArmAsync("strong", store.Current.Version, CancellationToken.None);
        Assert.True(removed.Applied);
        Assert.Equal(["added", "cheap"], store.Current.Arms.Select(a => a.Name));
        Assert.Equal(removed.Version, store.Current.Version);
    }

    private static RedisArmRegistryStore RedisStore(IConnectionMultiplexer connection, string prefix, TimeSpan? refresh = null) =>
        new(connection, SharedRedis.Prefix(prefix), TestState.Options(o => o.RegistryRefreshInterval = refresh ?? TimeSpan.FromMilliseconds(500)),
            TimeProvider.System, NullLogger<RedisArmRegistryStore>.Instance);

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
