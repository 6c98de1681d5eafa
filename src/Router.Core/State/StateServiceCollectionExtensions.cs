using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>Registers the state layer (STYLE.md #6).</summary>
public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the state layer from configuration: <c>Router:Redis</c> (<see cref="RedisStateOptions"/>) and
    /// <c>Router:State</c> (<see cref="LearningStateOptions"/>). With <c>Router:Redis:Configuration</c> set, every
    /// store is in Redis (one shared multiplexer) and the event log is wrapped in the degraded-mode buffer;
    /// otherwise everything is in-process. Options are validated at start.
    /// </summary>
    public static IServiceCollection AddRouterState(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RedisStateOptions>().Bind(configuration.GetSection(RedisStateOptions.SectionName));
        services.AddOptions<LearningStateOptions>().Bind(configuration.GetSection(LearningStateOptions.SectionName));
        return services.AddRouterState(configureRedis: null, configureState: null);
    }

    /// <summary>
    /// Registers the state layer with options set in code (tests, embedding). Every service is added with TryAdd,
    /// so a caller may register its own first (e.g. an <see cref="IConnectionMultiplexer"/> it already has).
    /// Register an <see cref="ILearningStateFold"/> to have <see cref="RouterStateHostedService"/> run the follower.
    /// </summary>
    public static IServiceCollection AddRouterState(
        this IServiceCollection services,
        Action<RedisStateOptions>? configureRedis,
        Action<LearningStateOptions>? configureState)
    {
        ArgumentNullException.ThrowIfNull(services);
        var redis = services.AddOptions<RedisStateOptions>();
        if (configureRedis is not null)
        {
            redis.Configure(configureRedis);
        }

        redis.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisStateOptions>, RedisOptionsValidator>());
        var state = services.AddOptions<LearningStateOptions>();
        if (configureState is not null)
        {
            state.Configure(configureState);
        }

        state.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LearningStateOptions>, StateOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
            RedisConnectionFactory.Connect(sp.GetRequiredService<IOptions<RedisStateOptions>>().Value.Configuration
                ?? throw new InvalidOperationException("Router:Redis:Configuration is not set.")));

        services.TryAddSingleton<InProcessLearningEventLog>();
        services.TryAddSingleton<RedisLearningEventLog>();
        services.TryAddSingleton(sp => new BufferedLearningEventLog(
            sp.GetRequiredService<RedisLearningEventLog>(),
            sp.GetRequiredService<IOptions<LearningStateOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BufferedLearningEventLog>>()));
        services.TryAddSingleton<ILearningEventLog>(sp => UseRedis(sp)
            ? sp.GetRequiredService<BufferedLearningEventLog>()
            : sp.GetRequiredService<InProcessLearningEventLog>());

        services.TryAddSingleton<InProcessSnapshotStore>();
        services.TryAddSingleton<RedisSnapshotStore>();
        services.TryAddSingleton<ISnapshotStore>(sp => UseRedis(sp)
            ? sp.GetRequiredService<RedisSnapshotStore>()
            : sp.GetRequiredService<InProcessSnapshotStore>());

        services.TryAddSingleton<InProcessDecisionRecordStore>();
        services.TryAddSingleton<RedisDecisionRecordStore>();
        services.TryAddSingleton<IDecisionRecordStore>(sp => UseRedis(sp)
            ? sp.GetRequiredService<RedisDecisionRecordStore>()
            : sp.GetRequiredService<InProcessDecisionRecordStore>());

        services.TryAddSingleton<InProcessArmRegistryStore>();
        services.TryAddSingleton<RedisArmRegistryStore>();
        services.TryAddSingleton<IArmRegistryStore>(sp => UseRedis(sp)
            ? sp.GetRequiredService<RedisArmRegistryStore>()
            : sp.GetRequiredService<InProcessArmRegistryStore>());

        services.TryAddSingleton<LearningStateFollower>();
        services.TryAddSingleton<RouterStateHealth>();
        services.TryAddSingleton<RouterStateMetrics>();
        services.AddHostedService<RouterStateHostedService>();
        return services;
    }

    private static bool UseRedis(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RedisStateOptions>>().Value.Enabled;

    private sealed class RedisOptionsValidator : IValidateOptions<RedisStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisStateOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class StateOptionsValidator : IValidateOptions<LearningStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, LearningStateOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
