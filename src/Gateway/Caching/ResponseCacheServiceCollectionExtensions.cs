using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;

namespace Router.Gateway.Caching;

/// <summary>Registers the response cache (STYLE.md #6).</summary>
public static class ResponseCacheServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ResponseCacheOptions"/> from <c>Router:Cache</c> (validated at start) and the
    /// <see cref="ResponseCache"/> singleton (inert while <c>Enabled</c> is false). Needs the state layer's options
    /// (<c>Router:Redis</c>), which <see cref="GatewayHardeningServiceCollectionExtensions.AddGatewayHardening"/> registers.
    /// </summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ResponseCacheOptions>().Bind(configuration.GetSection(ResponseCacheOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResponseCacheOptions>>(
            new DelegateOptionsValidator<ResponseCacheOptions>(o => o.Validate())));
        services.TryAddSingleton<ResponseCache>();
        return services;
    }
}
