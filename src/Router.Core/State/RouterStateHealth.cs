using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>Collects the state layer's health for <c>/health/ready</c> (cheap: no round trip). Thread-safe.</summary>
public sealed class RouterStateHealth
{
    private readonly IServiceProvider _services;
    private readonly bool _redis;

    /// <summary>Created by <see cref="StateServiceCollectionExtensions.AddRouterState(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.</summary>
    public RouterStateHealth(IServiceProvider services, IOptions<RedisStateOptions> redisOptions)
    {
        ArgumentNullException.ThrowIfNull(redisOptions);
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _redis = redisOptions.Value.Enabled;
    }

    /// <summary>The current report.</summary>
    public StateHealthReport GetReport()
    {
        var buffered = _redis ? _services.GetService<BufferedLearningEventLog>() : null;
        var connected = !_redis || _services.GetService<IConnectionMultiplexer>()?.IsConnected == true;
        var follower = _services.GetService<ILearningStateFold>() is null ? null : _services.GetService<LearningStateFollower>();
        var degraded = buffered?.IsDegraded == true || !connected;
        var status = degraded ? StateHealthStatus.Degraded
            : follower is { IsCaughtUp: false } ? StateHealthStatus.Starting
            : StateHealthStatus.Healthy;
        return new StateHealthReport
        {
            Status = status,
            Backend = _redis ? "redis" : "in-process",
            StoreConnected = connected,
            BufferedEvents = buffered?.BufferedCount ?? 0,
            DegradedSince = buffered?.DegradedSince,
            LastAppliedId = follower?.LastAppliedId.ToString(),
            FollowerLag = follower?.Lag,
            RegistryVersion = _services.GetService<IArmRegistryStore>()?.Current.Version ?? 0,
        };
    }
}
