using StackExchange.Redis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Router.Core.State;

namespace Router.Core.Tests.State;

[Collection(SharedRedisCollection.Name)]
public sealed class StateServiceCollectionExtensionsTests(SharedRedis redis)
{
    [Fact]
    public async Task AddRouterState_NoRedisConfigured_UsesInProcessStores()
    {
        using var host = Build(new Dictionary<string, string?>());
        await host.StartAsync();

        Assert.IsType<InProcessLearningEventLog>(host.Services.GetRequiredService<ILearningEventLog>());
        Assert.IsType<InProcessSnapshotStore>(host.Services.GetRequiredService<ISnapshotStore>());
        Assert.IsType<InProcessDecisionRecordStore>(host.Services.GetRequiredService<IDecisionRecordStore>());
        Assert.IsType<InProcessArmRegistryStore>(host.Services.GetRequiredService<IArmRegistryStore>());
        var report = host.Services.GetRequiredService<RouterStateHealth>().GetReport();
        Assert.Equal("in-process", report.Backend);
        Assert.Equal(StateHealthStatus.Healthy, report.Status);
        await host.StopAsync();
    }

    [RedisFact]
    public async Task AddRouterState_RedisConfigured_FollowsTheSharedLogWithTheRegisteredFold()
    {
        var fold = new HashChainFold();
        using var host = Build(
            new Dictionary<string, string?>
            {
                ["Router:Redis:Configuration"] = redis.Server.Configuration,
                ["Router:Redis:KeyPrefix"] = SharedRedis.NewPrefix(),
                ["Router:State:FollowPollInterval"] = "00:00:00.200",
                ["Router:State:BufferDirectory"] = Path.Combine(Path.GetTempPath(), "router-state-di-" + Guid.NewGuid().ToString("N")),
            },
            services => services.AddSingleton<ILearningStateFold>(fold));
        await host.StartAsync();
        await RedisServer.WaitConnectedAsync(host.Services.GetRequiredService<IConnectionMultiplexer>()); // a slow first connect (loaded CI) would buffer the append

        var log = host.Services.GetRequiredService<ILearningEventLog>();
        var appended = await log.AppendAsync("feedback", IdempotencyKeys.For("req-1", "feedback"), TestState.Payload(1), CancellationToken.None);
        var follower = host.Services.GetRequiredService<LearningStateFollower>();
        var applied = await follower.WaitForAsync(appended.Id!.Value, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.IsType<BufferedLearningEventLog>(log);
        Assert.IsType<RedisArmRegistryStore>(host.Services.GetRequiredService<IArmRegistryStore>());
        Assert.IsType<RedisDecisionRecordStore>(host.Services.GetRequiredService<IDecisionRecordStore>());
        Assert.True(applied);
        Assert.Equal(1, fold.Count);
        var report = host.Services.GetRequiredService<RouterStateHealth>().GetReport();
        Assert.Equal("redis", report.Backend);
        Assert.Equal(StateHealthStatus.Healthy, report.Status);
        Assert.Equal(appended.Id.Value.ToString(), report.LastAppliedId);
        Assert.Equal(0, Observe(host)["router.state.degraded"]);
        Assert.Equal(0, Observe(host)["router.state.buffered_events"]);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Router:State:SnapshotsRetained", "0")]
    [InlineData("Router:State:DecisionRecordTtl", "-00:00:01")]
    [InlineData("Router:Redis:KeyPrefix", "bad{prefix}")]
    [InlineData("Router:Redis:Configuration", "127.0.0.1:1,notAnOption=3")]
    public async Task AddRouterState_InvalidOptions_FailsAtStart(string key, string value)
    {
        using var host = Build(new Dictionary<string, string?> { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    // The state instruments of this host's meter factory, read once.
    private static Dictionary<string, double> Observe(IHost host)
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RouterStateMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => values[i.Name] = v);
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => values[i.Name] = v);
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => values[i.Name] = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRouterState(builder.Configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
