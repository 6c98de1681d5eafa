using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.State;
using Router.Gateway.Configuration;
using Router.Gateway.Protocols.Anthropic;
using Router.Gateway.Protocols.Responses;
using StackExchange.Redis;

namespace Router.Gateway.Protocols;

/// <summary>Registers and maps the non-OpenAI-chat API surfaces (docs/protocols.md).</summary>
public static class ProtocolServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Anthropic Messages surface and the options of the native <c>anthropic</c> provider
    /// (<c>Router:Anthropic</c>), and the Responses surface with its store (<c>Router:Responses</c>; Redis when the
    /// state layer is on Redis, in process otherwise).
    /// </summary>
    public static IServiceCollection AddProtocolSurfaces(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnthropicOptions>()
            .Bind(configuration.GetSection(AnthropicOptions.SectionName))
            .Validate(o => o.DefaultMaxTokens >= 1 && !string.IsNullOrWhiteSpace(o.Version), "Router:Anthropic: DefaultMaxTokens must be >= 1 and Version set")
            .ValidateOnStart();
        services.TryAddSingleton<AnthropicInbound>();

        services.AddOptions<ResponsesOptions>().Bind(configuration.GetSection(ResponsesOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResponsesOptions>>(
            new DelegateOptionsValidator<ResponsesOptions>(o => o.Validate())));
        services.TryAddSingleton<IResponseStore>(sp => sp.GetRequiredService<IOptions<RedisStateOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<RedisResponseStore>(sp, sp.GetRequiredService<IConnectionMultiplexer>())
            : ActivatorUtilities.CreateInstance<InMemoryResponseStore>(sp));
        services.TryAddSingleton<ResponsesInbound>();
        return services;
    }

    /// <summary>Maps <c>/v1/messages</c>, <c>/v1/messages/count_tokens</c> and <c>/v1/responses</c> (with GET, DELETE and input_items).</summary>
    public static IEndpointRouteBuilder MapProtocolEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/messages", context => context.RequestServices.GetRequiredService<AnthropicInbound>().MessagesAsync(context));
        endpoints.MapPost("/v1/messages/count_tokens", context => context.RequestServices.GetRequiredService<AnthropicInbound>().CountTokensAsync(context));
        endpoints.MapPost("/v1/responses", context => context.RequestServices.GetRequiredService<ResponsesInbound>().CreateAsync(context));
        endpoints.MapGet("/v1/responses/{id}", ResponsesStoreEndpoints.RetrieveAsync);
        endpoints.MapDelete("/v1/responses/{id}", ResponsesStoreEndpoints.DeleteAsync);
        endpoints.MapGet("/v1/responses/{id}/input_items", ResponsesStoreEndpoints.InputItemsAsync);
        return endpoints;
    }
}
