using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Router.Core.Arms;
using Router.Gateway.Arms;
using Router.Gateway.Forwarding;
using Router.Gateway.Logging;
using Router.Gateway.Pipeline;
using Router.Gateway.Protocols.Anthropic;

namespace Router.Gateway.OpenAi;

/// <summary>Maps the OpenAI-compatible API and its error handling.</summary>
public static class OpenAiEndpoints
{
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    private static readonly string[] KnownPaths = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/feedback"];

    /// <summary>
    /// Errors in the OpenAI envelope on <c>/v1/*</c> (Anthropic's on <c>/v1/messages*</c>, ProblemDetails elsewhere): unhandled exceptions become a 500
    /// envelope without details, bare error statuses (405, 404 ...) get a body. Call before the endpoints.
    /// </summary>
    public static IApplicationBuilder UseOpenAiErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                if (status >= 500 && exception is not null)
                {
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpenAiEndpoints));
                    GatewayLog.Unhandled(logger, context.Request.Path, exception);
                }

                await WriteErrorAsync(context, status, context.RequestAborted);
            },
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            await WriteErrorAsync(context, context.Response.StatusCode, context.RequestAborted);
        });
        return app;
    }

    /// <summary>Maps <c>/v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c>.</summary>
    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapPost("/chat/completions", context => Proxy(context).HandleAsync(context, OpenAiOperation.ChatCompletions));
        v1.MapPost("/completions", context => Proxy(context).HandleAsync(context, OpenAiOperation.Completions));
        v1.MapPost("/embeddings", context => Proxy(context).HandleAsync(context, OpenAiOperation.Embeddings));
        // HEAD as well as GET: probes and clients check a model exists with HEAD; Kestrel sends the headers and drops the body.
        v1.MapMethods("/models", GetOrHead, ListModelsAsync);
        v1.MapMethods("/models/{id}", GetOrHead, GetModelAsync);
        v1.Map("/{**rest}", context =>
        {
            if (AnthropicInbound.Serves(context.Request.Path))
            {
                return AnthropicInbound.WriteUnmatchedAsync(context);
            }

            var known = KnownPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
            return OpenAiError.ForStatus(known ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status404NotFound)
                .WriteAsync(context.Response, context.RequestAborted);
        });
        return endpoints;
    }

    private static OpenAiInbound Proxy(HttpContext context) => context.RequestServices.GetRequiredService<OpenAiInbound>();

    private static async Task WriteErrorAsync(HttpContext context, int status, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        if (context.Request.Path.StartsWithSegments("/v1"))
        {
            // The exception handler has cleared the response headers: put the request id back.
            var requestId = context.Items[RequestPipeline.RequestIdItem] as string;
            if (requestId is not null)
            {
                context.Response.Headers[RouterHeaders.RequestId] = requestId;
            }

            var error = status >= 500 ? OpenAiError.Internal(requestId ?? context.TraceIdentifier) : OpenAiError.ForStatus(status);
            if (AnthropicInbound.Serves(context.Request.Path))
            {
                await AnthropicInbound.WriteErrorAsync(context, error.Status, error.Message); // the caller's envelope
                return;
            }

            await error.WriteAsync(context.Response, cancellationToken);
            return;
        }

        context.Response.StatusCode = status;
        await Results.Problem(statusCode: status).ExecuteAsync(context);
    }

    private static async Task ListModelsAsync(HttpContext context)
    {
        var catalog = context.RequestServices.GetRequiredService<IArmCatalog>();
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        WriteRouterModel(writer, ModelNames.Auto);
        WriteRouterModel(writer, ModelNames.Router);
        foreach (var arm in catalog.Entries)
        {
            WriteArm(writer, arm);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task GetModelAsync(HttpContext context, string id)
    {
        var catalog = context.RequestServices.GetRequiredService<IArmCatalog>();
        CatalogArm? arm = null;
        if (!ModelNames.IsRouterAlias(id) && !catalog.TryGet(id, out arm))
        {
            await OpenAiError.ModelNotFound(id).WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        if (arm is null)
        {
            WriteRouterModel(writer, id.ToLowerInvariant());
        }
        else
        {
            WriteArm(writer, arm);
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteRouterModel(Utf8JsonWriter writer, string id)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", 0);
        writer.WriteString("owned_by", "router");
        writer.WriteEndObject();
    }

    private static void WriteArm(Utf8JsonWriter writer, CatalogArm arm)
    {
        var def = arm.Definition;
        writer.WriteStartObject();
        writer.WriteString("id", def.Name);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", 0);
        writer.WriteString("owned_by", def.Provider.ToConfigName());
        writer.WriteStartObject("router");
        writer.WriteBoolean("enabled", def.Enabled);
        writer.WriteString("provider", def.Provider.ToConfigName());
        writer.WriteNumber("input_price_per_million", def.InputPricePerMillion);
        writer.WriteNumber("output_price_per_million", def.OutputPricePerMillion);
        writer.WriteStartArray("tags");
        foreach (var tag in def.Tags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
