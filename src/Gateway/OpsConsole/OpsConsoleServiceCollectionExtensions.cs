using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.State;
using Router.Gateway.Configuration;
using Router.Gateway.Usage;
using Router.Gateway.Usage.History;
using StackExchange.Redis;

namespace Router.Gateway.OpsConsole;

/// <summary>Registers the ops console's server side: the usage history, the policy frontier and the OpenAPI document.</summary>
public static class OpsConsoleServiceCollectionExtensions
{
    /// <summary>
    /// Adds (TryAdd, so tests can swap them) the usage history (<c>Router:Usage</c>, validated at start; on Redis when
    /// <c>Router:Redis:Configuration</c> is set, in memory otherwise) fed by an <see cref="IRequestObserver"/>, the
    /// <see cref="PolicyFrontier"/>, and the OpenAPI document <c>v1</c>. Needs the state layer's options (registered by
    /// the hardening layer before it).
    /// </summary>
    public static IServiceCollection AddOpsConsole(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection(UsageOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageOptions>>(
            new DelegateOptionsValidator<UsageOptions>(o => [.. o.Validate()])));
        services.TryAddSingleton<IUsageStore>(sp => sp.GetRequiredService<IOptions<RedisStateOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<RedisUsageStore>(sp, sp.GetRequiredService<IConnectionMultiplexer>())
            : ActivatorUtilities.CreateInstance<InMemoryUsageStore>(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestObserver, UsageHistoryObserver>());
        services.TryAddSingleton<PolicyFrontier>();
        services.AddOpenApi("v1", options => options.AddDocumentTransformer<ApiDocumentTransformer>());
        return services;
    }
}
