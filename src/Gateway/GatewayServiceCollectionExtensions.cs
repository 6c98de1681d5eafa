using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.Routing;
using IRouter = Router.Core.Routing.IRouter;
using Router.Gateway.Arms;
using Router.Gateway.Caching;
using Router.Gateway.Configuration;
using Router.Gateway.Decisions;
using Router.Gateway.Forwarding;
using Router.Gateway.OpenAi;
using Router.Gateway.Pipeline;
using Router.Gateway.OpsConsole;
using Router.Gateway.Protocols;
using Router.Gateway.Usage;

namespace Router.Gateway;

/// <summary>Registers the gateway (STYLE.md #6: defaults with TryAdd, so tests and the engine can swap them).</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: options from the <c>Router</c> section (validated at start), the arm catalog, the default
    /// router (<see cref="CheapestArmRouter"/> until the MixLLM engine replaces it), forwarding, usage metering and
    /// decision records. Register another <see cref="IRouter"/>, <see cref="IDecisionStore"/> or
    /// <see cref="IArmCatalog"/> before or after this call to replace the default; add
    /// <see cref="IRequestObserver"/>s to hear about completed requests.
    /// </summary>
    public static IServiceCollection AddRouterGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GatewayOptions>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<GatewayOptions>>(new ArmsPostConfigure(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IArmCatalog>(sp => new ArmCatalog(sp.GetRequiredService<IOptions<GatewayOptions>>()));
        services.TryAddSingleton<IRouter, CheapestArmRouter>();
        services.TryAddSingleton<ITokenCounter, TiktokenTokenCounter>();
        services.TryAddSingleton<IDecisionStore, InMemoryDecisionStore>();
        services.TryAddSingleton<IUpstreamInvokers, UpstreamInvokers>();
        services.TryAddSingleton<RequestPipeline>();
        services.TryAddSingleton<OpenAiInbound>();
        services.AddHttpForwarder();
        services.AddProtocolSurfaces(configuration); // /v1/messages and the anthropic provider (docs/protocols.md)
        services.AddProblemDetails();
        services.AddHostedService<GatewayStartupReport>();
        services.AddGatewayHardening(configuration);        // keys, limits, resilience, telemetry
        services.AddResponseCache(configuration);           // Router:Cache (off by default)
        services.AddVerifierCascade(configuration);         // Router:Cascade (off by default)
        services.AddOpsConsole(configuration);              // usage history (Router:Usage), policy frontier, OpenAPI
        return services;
    }
}
