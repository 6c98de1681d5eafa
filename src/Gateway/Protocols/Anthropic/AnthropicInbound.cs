using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Router.Gateway.Arms;
using Router.Gateway.Configuration;
using Router.Gateway.OpenAi;
using Router.Gateway.Pipeline;
using Router.Gateway.Usage;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// The inbound adapter of <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c> (Anthropic Messages API):
/// validates the body (errors in Anthropic's envelope), maps Claude model names through
/// <see cref="AnthropicOptions.ModelAliases"/>, translates to the OpenAI chat form and runs the
/// <see cref="RequestPipeline"/> with an <see cref="AnthropicClientTranslator"/> at the client edge. Thread-safe.
/// </summary>
public sealed class AnthropicInbound
{
    private readonly RequestPipeline _pipeline;
    private readonly IArmCatalog _catalog;
    private readonly ITokenCounter _tokens;
    private readonly AnthropicOptions _options;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the adapter (DI).</summary>
    public AnthropicInbound(RequestPipeline pipeline, IArmCatalog catalog, ITokenCounter tokens, IOptions<AnthropicOptions> options, IOptions<GatewayOptions> gateway)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        _pipeline = pipeline;
        _catalog = catalog;
        _tokens = tokens;
        _options = options.Value;
        _maxBodyBytes = gateway.Value.MaxRequestBodyBytes;
    }

    /// <summary>Serves <c>POST /v1/messages</c>.</summary>
    public async Task MessagesAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (requestId, started) = _pipeline.Begin(context);
        var (request, bytes) = await ParseAsync(context, requestId);
        if (request is not null)
        {
            await _pipeline.RunAsync(context, request, bytes, requestId, started);
            await request.ClientTranslator!.FinishAsync(context.RequestAborted);
        }
    }

    /// <summary>Serves <c>POST /v1/messages/count_tokens</c>: <c>{"input_tokens": n}</c> by the gateway's tokenizer (an estimate).</summary>
    public async Task CountTokensAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (requestId, _) = _pipeline.Begin(context);
        var (request, _) = await ParseAsync(context, requestId, countOnly: true);
        if (request is not null)
        {
            await context.Response.WriteAsJsonAsync(new { input_tokens = _tokens.CountTokens(request.PromptText) }, context.RequestAborted);
        }
    }

    private async Task<(GatewayRequest? Request, byte[] Bytes)> ParseAsync(HttpContext context, string requestId, bool countOnly = false)
    {
        var cancellationToken = context.RequestAborted;
        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, cancellationToken);
        if (readError is not null)
        {
            await WriteErrorAsync(context, readError.Status, readError.Message);
            return (null, []);
        }

        JsonObject? obj;
        try
        {
            obj = JsonStrings.FindInvalid(body) is null ? JsonNode.Parse(body) as JsonObject : null;
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, 400, $"The request body is not valid JSON: {ex.Message}");
            return (null, []);
        }

        if (obj is null)
        {
            await WriteErrorAsync(context, 400, "The request body must be a JSON object of valid UTF-8.");
            return (null, []);
        }

        if (JsonFields.Str(obj, "model") is not { Length: > 0 } model)
        {
            await WriteErrorAsync(context, 400, "model: Field required (a string)");
            return (null, []);
        }

        if (countOnly && obj["max_tokens"] is null)
        {
            obj["max_tokens"] = 1; // count_tokens takes no max_tokens
        }

        var (chat, error) = AnthropicRequestMapper.ToChat(obj);
        if (error is not null)
        {
            await WriteErrorAsync(context, 400, error);
            return (null, []);
        }

        var bytes = JsonFields.Bytes(chat!);
        var (parsed, parseError) = OpenAiRequestParser.Parse(OpenAiOperation.ChatCompletions, bytes, context.Request.Headers);
        if (parseError is not null)
        {
            await WriteErrorAsync(context, parseError.Status, parseError.Message);
            return (null, []);
        }

        var routed = _catalog.TryGet(model, out _) ? model : _options.Resolve(model);
        return (parsed! with
        {
            Inbound = InboundProtocol.Anthropic,
            Model = routed,
            ClientWantsStreamUsage = true, // the usage chunk becomes message_delta.usage
            ClientTranslator = new AnthropicClientTranslator(AnthropicMessageIds.FromRequestId(requestId), model),
            UserId = JsonFields.Str(obj["metadata"], "user_id"),
        }, bytes);
    }

    /// <summary>Whether <paramref name="path"/> is one of this surface's endpoints (its errors use Anthropic's envelope).</summary>
    public static bool Serves(PathString path) => path.StartsWithSegments("/v1/messages");

    /// <summary>An unmatched request under <c>/v1/messages</c>: 405 on the two endpoints (they take POST), else 404.</summary>
    public static Task WriteUnmatchedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        return path.Equals("/v1/messages", StringComparison.OrdinalIgnoreCase) || path.Equals("/v1/messages/count_tokens", StringComparison.OrdinalIgnoreCase)
            ? WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed: this endpoint takes POST.")
            : WriteErrorAsync(context, StatusCodes.Status404NotFound, "Unknown endpoint. The Anthropic surface serves POST /v1/messages and POST /v1/messages/count_tokens.");
    }

    /// <summary>Writes Anthropic's error envelope with <paramref name="status"/> (its type named as Anthropic names it).</summary>
    public static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(AnthropicResponseMapper.ErrorBody(status, message), context.RequestAborted);
    }
}
