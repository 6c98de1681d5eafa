using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Router.Gateway.Auth;
using Router.Gateway.Configuration;
using Router.Gateway.OpenAi;
using Router.Gateway.Pipeline;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The inbound adapter of <c>POST /v1/responses</c> (OpenAI Responses API): validates the body (errors in the OpenAI
/// envelope), prepends the stored conversation of <c>previous_response_id</c>, translates to the chat form
/// (<see cref="ResponsesRequestMapper"/>) and runs the one <see cref="RequestPipeline"/> (routing, keys, limits,
/// metering, fallback, feedback by the response id) with a <see cref="ResponsesClientTranslator"/> at the client
/// edge. The stored-response endpoints (GET, DELETE, input_items) are in <see cref="ResponsesStoreEndpoints"/>.
/// Thread-safe.
/// </summary>
public sealed class ResponsesInbound
{
    private readonly RequestPipeline _pipeline;
    private readonly IResponseStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<ResponsesInbound> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the adapter (DI).</summary>
    public ResponsesInbound(RequestPipeline pipeline, IResponseStore store, TimeProvider time, ILogger<ResponsesInbound> logger, IOptions<GatewayOptions> gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _pipeline = pipeline;
        _store = store;
        _time = time;
        _logger = logger;
        _maxBodyBytes = gateway.Value.MaxRequestBodyBytes;
    }

    /// <summary>The caller's key id (the client-key middleware's, or a host's through <see cref="RequestPipeline.ApiKeyIdItem"/>).</summary>
    internal static string? CallerKeyId(HttpContext context) =>
        context.Features.Get<ClientKeyFeature>()?.Key?.Id ?? context.Items[RequestPipeline.ApiKeyIdItem] as string;

    /// <summary>Serves <c>POST /v1/responses</c>.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (requestId, started) = _pipeline.Begin(context);
        var cancellationToken = context.RequestAborted;
        var (request, bytes, error) = await ParseAsync(context, requestId, cancellationToken);
        if (error is not null)
        {
            await error.WriteAsync(context.Response, cancellationToken);
            return;
        }

        await _pipeline.RunAsync(context, request!, bytes, requestId, started);
        await request!.ClientTranslator!.FinishAsync(cancellationToken);
    }

    private async Task<(GatewayRequest? Request, byte[] Bytes, OpenAiError? Error)> ParseAsync(HttpContext context, string requestId, CancellationToken cancellationToken)
    {
        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, cancellationToken);
        if (readError is not null)
        {
            return (null, [], readError);
        }

        JsonObject? obj;
        try
        {
            if (JsonStrings.FindInvalid(body) is { } invalid)
            {
                return (null, [], OpenAiError.InvalidRequest(invalid, null, "invalid_json"));
            }

            obj = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException ex)
        {
            return (null, [], OpenAiError.InvalidRequest($"We could not parse the JSON body of your request: {ex.Message}", null, "invalid_json"));
        }

        if (obj is null)
        {
            return (null, [], OpenAiError.InvalidRequest("The request body must be a JSON object.", null, "invalid_json"));
        }

        if (Str(obj, "model") is not { Length: > 0 })
        {
            return (null, [], OpenAiError.InvalidRequest("Missing required parameter: 'model' (a non-empty string).", "model", "missing_required_parameter"));
        }

        foreach (var flag in (ReadOnlySpan<string>)["store", "stream"])
        {
            if (obj[flag] is { } value && value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, [], OpenAiError.InvalidRequest($"Invalid type for '{flag}': expected a boolean.", flag, "invalid_type"));
            }
        }

        if (obj["metadata"] is { } metadata && metadata is not JsonObject)
        {
            return (null, [], OpenAiError.InvalidRequest("Invalid type for 'metadata': expected an object of strings.", "metadata", "invalid_type"));
        }

        var hex = requestId["req_".Length..];
        var (input, inputError) = ResponsesItems.Normalize(obj["input"], hex);
        if (inputError is not null)
        {
            return (null, [], inputError);
        }

        var keyId = CallerKeyId(context);
        var (history, historyError) = await HistoryAsync(obj, keyId, cancellationToken);
        if (historyError is not null)
        {
            return (null, [], historyError);
        }

        var (chat, mapError) = ResponsesRequestMapper.ToChat(obj, history!, input!);
        if (mapError is not null)
        {
            return (null, [], mapError);
        }

        var stream = obj["stream"]?.GetValueKind() == JsonValueKind.True;
        if (stream)
        {
            chat!["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        var bytes = Bytes(chat!);
        var (parsed, parseError) = OpenAiRequestParser.Parse(OpenAiOperation.ChatCompletions, bytes, context.Request.Headers);
        if (parseError is not null)
        {
            return (null, [], parseError);
        }

        var store = obj["store"]?.GetValueKind() != JsonValueKind.False;
        var builder = new ResponseObjectBuilder(obj, ResponseIds.FromRequestId(requestId), hex, _time.GetUtcNow().ToUnixTimeSeconds(), store);
        var recorder = store ? new ResponseRecorder(_store, keyId, history!, input!, _logger) : null;
        return (parsed! with
        {
            Inbound = InboundProtocol.Responses,
            ClientWantsStreamUsage = true, // the usage chunk becomes response.completed's usage
            ClientTranslator = new ResponsesClientTranslator(builder, recorder),
        }, bytes, null);
    }

    // The stored conversation of previous_response_id (400 when unknown, expired, not stored or another key's, as OpenAI answers).
    private async Task<(JsonArray? History, OpenAiError? Error)> HistoryAsync(JsonObject obj, string? keyId, CancellationToken cancellationToken)
    {
        if (obj["previous_response_id"] is null || obj["previous_response_id"]!.GetValueKind() == JsonValueKind.Null)
        {
            return ([], null);
        }

        if (Str(obj, "previous_response_id") is not { Length: > 0 } previousId)
        {
            return (null, OpenAiError.InvalidRequest("Invalid type for 'previous_response_id': expected a string.", "previous_response_id", "invalid_type"));
        }

        var (previous, storeError) = await ResponsesStoreEndpoints.FindOwnAsync(_store, previousId, keyId, _logger, cancellationToken);
        if (storeError is not null)
        {
            return (null, storeError);
        }

        return previous is null
            ? (null, OpenAiError.InvalidRequest($"Previous response with id '{OpenAiError.Quote(previousId)}' not found.", "previous_response_id", "previous_response_not_found"))
            : (JsonNode.Parse(previous.Conversation) as JsonArray ?? [], null);
    }
}
