using Microsoft.Extensions.DependencyInjection.Extensions;
using Router.Gateway.Protocols.Anthropic;

namespace Router.Gateway.Protocols;

/// <summary>Registers and maps the non-OpenAI API surfaces (docs/protocols.md).</summary>
public static class ProtocolServiceCollectionExtensions
{
    /// <summary>Adds the Anthropic Messages surface and the options of the native <c>anthropic</c> provider (<c>Router:Anthropic</c>).</summary>
    public static IServiceCollection AddProtocolSurfaces(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnthropicOptions>()
            .Bind(configuration.GetSection(AnthropicOptions.SectionName))
            .Validate(o => o.DefaultMaxTokens >= 1 && !string.IsNullOrWhiteSpace(o.Version), "Router:Anthropic: DefaultMaxTokens must be >= 1 and Version set")
            .ValidateOnStart();
        services.TryAddSingleton<AnthropicInbound>();
        return services;
    }

    /// <summary>Maps <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c>.</summary>
    public static IEndpointRouteBuilder MapProtocolEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/messages", context => context.RequestServices.GetRequiredService<AnthropicInbound>().MessagesAsync(context));
        endpoints.MapPost("/v1/messages/count_tokens", context => context.RequestServices.GetRequiredService<AnthropicInbound>().CountTokensAsync(context));
        return endpoints;
    }
}
