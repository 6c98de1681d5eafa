using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Pipeline;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The client edge of <c>POST /v1/responses</c>: the pipeline's chat answer as a <c>response</c> object (JSON) or as
/// the typed Responses event stream (<see cref="ResponsesStreamWriter"/>). Errors are already in the OpenAI envelope
/// the Responses API uses, so they pass as they are. A successful response with <c>store</c> is saved
/// (<see cref="ResponseRecorder"/>) before its last bytes go out, so a client that reads it and at once asks for it
/// (GET, <c>previous_response_id</c>) finds it. One per request; not thread-safe.
/// </summary>
internal sealed class ResponsesClientTranslator : ClientResponseTranslator
{
    private readonly ResponseObjectBuilder _builder;
    private readonly ResponsesStreamWriter _stream;
    private readonly ResponseRecorder? _recorder;
    private JsonObject? _final;

    public ResponsesClientTranslator(ResponseObjectBuilder builder, ResponseRecorder? recorder)
    {
        _builder = builder;
        _stream = new ResponsesStreamWriter(builder);
        _recorder = recorder;
    }

    protected override byte[] TranslateJson(int status, ReadOnlyMemory<byte> body)
    {
        var node = Parse(body.Span);
        if (status is >= 200 and < 300 && node is JsonObject completion && completion["choices"] is JsonArray choices)
        {
            var (responseStatus, reason) = ResponseObjectBuilder.Status(Str(choices.FirstOrDefault(), "finish_reason"));
            _final = _builder.Build(responseStatus, Str(completion, "model"), _builder.OutputFromChat(completion),
                ResponseObjectBuilder.Usage(completion["usage"]), incompleteReason: reason);
            return Bytes(_final);
        }

        if (node is JsonObject { } envelope && envelope["error"] is JsonObject)
        {
            return body.ToArray();
        }

        if (status is >= 200 and < 300)
        {
            Response.StatusCode = StatusCodes.Status502BadGateway;
        }

        return Bytes(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = "The upstream answered an unreadable body.", ["type"] = "upstream_error", ["param"] = null, ["code"] = "bad_upstream_response" },
        });
    }

    protected override void TranslateEvent(string data, StringBuilder output)
    {
        if (data == "[DONE]")
        {
            return;
        }

        if (Parse(Encoding.UTF8.GetBytes(data)) is JsonObject chunk)
        {
            _stream.Chunk(chunk, output);
        }
    }

    protected override void EndOfStream(StringBuilder output)
    {
        _stream.End(output);
        _final = _stream.Final;
    }

    protected override async Task CompletedAsync(CancellationToken cancellationToken)
    {
        if (_recorder is not null && _final is not null && Str(_final, "status") is "completed" or "incomplete")
        {
            await _recorder.SaveAsync(_final, cancellationToken);
        }
    }

    private static JsonNode? Parse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
