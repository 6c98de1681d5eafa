using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Router.Core.State;
using Router.Gateway.Auth;
using Router.Gateway.Configuration;
using Router.Gateway.OpenAi;
using Router.Gateway.RateLimiting;
using Router.Gateway.Resilience;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;
using StackExchange.Redis;

namespace Router.Gateway;

/// <summary>Registers the production hardening: client keys and spend caps, rate limits, resilience, input limits, telemetry.</summary>
public static class GatewayHardeningServiceCollectionExtensions
{
    /// <summary>The OpenTelemetry service name.</summary>
    public const string ServiceName = "llm-router-gateway";

    /// <summary>
    /// Adds (with TryAdd, so tests can swap any piece): the key store, spend ledger and rate limiter (Redis when
    /// <c>Router:Redis:Configuration</c> is set, on the state layer's one multiplexer; in-process otherwise), the
    /// per-arm resilience pipelines (<c>Router:Resilience</c>), input limits (<c>Router:Limits</c>, Kestrel header
    /// limits), the spend and metrics observers, OpenTelemetry (traces + metrics, Prometheus at <c>/metrics</c>, OTLP
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set) and the client-key middleware on <c>/v1/*</c>. Called by
    /// <see cref="GatewayServiceCollectionExtensions.AddRouterGateway"/>; calling it again is harmless.
    /// </summary>
    public static IServiceCollection AddGatewayHardening(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(HardeningMarker)))
        {
            return services;
        }

        services.AddSingleton<HardeningMarker>();
        services.AddRouterState(configuration);

        services.AddOptions<ResilienceOptions>().Bind(configuration.GetSection(ResilienceOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResilienceOptions>>(new DelegateOptionsValidator<ResilienceOptions>(o => o.Validate()));
        services.AddOptions<RequestLimitsOptions>().Bind(configuration.GetSection(RequestLimitsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequestLimitsOptions>>(new DelegateOptionsValidator<RequestLimitsOptions>(o => o.Validate()));
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
        {
            var limits = sp.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
            kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        }));

        services.TryAddSingleton<IApiKeyStore>(sp => UseRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisApiKeyStore>(sp, sp.GetRequiredService<IConnectionMultiplexer>())
            : new InMemoryApiKeyStore());
        services.TryAddSingleton<ISpendLedger>(sp => UseRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisSpendLedger>(sp, sp.GetRequiredService<IConnectionMultiplexer>())
            : new InMemorySpendLedger(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IClientRateLimiter>(sp => UseRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisClientRateLimiter>(sp, sp.GetRequiredService<IConnectionMultiplexer>())
            : new InProcessClientRateLimiter(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ArmResilience>();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestObserver, SpendObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestObserver, MetricsObserver>());
        services.AddHostedService<KeyModeStartupReport>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, HardeningStartupFilter>());

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/health")))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayTelemetry.SourceName, RouterStateMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter(); // endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables
        }

        return services;
    }

    private static bool UseRedis(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RedisStateOptions>>().Value.Enabled;

    private sealed class HardeningMarker;
}
