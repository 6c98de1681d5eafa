using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// The outbound adapter of a <c>provider: anthropic</c> arm, below YARP: the OpenAI chat request the pipeline forwards
/// is rewritten into an Anthropic Messages request (<see cref="AnthropicRequestMapper.FromChat"/>), and the answer
/// back into the OpenAI form (JSON via <see cref="AnthropicResponseMapper.ToChat"/>, SSE via
/// <see cref="AnthropicStreamToChat"/>; a <c>response_format</c> answer tool back into content, <see cref="AnthropicJsonAnswer"/>),
/// so fallback, the 2xx-error peek, metering and the cache work unchanged.
/// Error answers pass as they are: their <c>{"error":{"type","message"}}</c> is read by the error mapping, and 529
/// (overloaded) is fallback-eligible like any 5xx. Thread-safe.
/// </summary>
internal sealed class AnthropicUpstreamHandler : DelegatingHandler
{
    private readonly int _defaultMaxTokens;
    private readonly TimeProvider _time;

    public AnthropicUpstreamHandler(HttpMessageHandler inner, int defaultMaxTokens, TimeProvider time)
        : base(inner)
    {
        _defaultMaxTokens = defaultMaxTokens;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsByteArrayAsync(cancellationToken)) as JsonObject;
        if (body?["messages"] is not JsonArray)
        {
            var error = new JsonObject
            {
                ["error"] = new JsonObject { ["message"] = "Anthropic arms serve chat only (messages).", ["type"] = "invalid_request_error" },
            };
            return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = Json(JsonFields.Bytes(error)), RequestMessage = request };
        }

        var json = AnthropicJsonAnswer.For(body);
        request.Content = Json(JsonFields.Bytes(AnthropicRequestMapper.FromChat(body, _defaultMaxTokens)));
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return response;
        }

        var created = _time.GetUtcNow().ToUnixTimeSeconds();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var stream = new AnthropicStreamToChat(await response.Content.ReadAsStreamAsync(cancellationToken), created, json);
            var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            response.Content = content;
            return response;
        }

        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (JsonNodeOrNull(answer) is JsonObject message && JsonFields.Str(message, "type") == "message")
        {
            response.Content = Json(JsonFields.Bytes(AnthropicResponseMapper.ToChat(message, created, json)));
        }
        else
        {
            response.Content = Json(answer); // not a message: the 2xx-error check judges it
        }

        return response;
    }

    private static JsonNode? JsonNodeOrNull(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(LenientJsonBytes.ForReading(bytes));
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
