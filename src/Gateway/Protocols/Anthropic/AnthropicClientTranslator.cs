using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Pipeline;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// The client edge of <c>/v1/messages</c>: the pipeline's OpenAI answer in the Messages form. JSON: a <c>message</c>
/// or the error envelope <c>{"type":"error","error":{"type","message"}}</c>. SSE: Anthropic's event sequence
/// (docs.anthropic.com "Streaming Messages"): <c>message_start</c>, <c>ping</c>, per block
/// <c>content_block_start</c> / <c>content_block_delta</c> (text_delta, input_json_delta) / <c>content_block_stop</c>,
/// <c>message_delta</c> with stop_reason and usage, <c>message_stop</c>. One per request; not thread-safe.
/// </summary>
internal sealed class AnthropicClientTranslator : ClientResponseTranslator
{
    private readonly string _messageId;
    private readonly string _model;
    private readonly Dictionary<long, int> _toolBlocks = [];
    private bool _started;
    private int _openBlock = -1;
    private bool _openIsText;
    private int _blocks;
    private string? _finish;
    private long _input;
    private long _output;
    private bool _stopped;

    public AnthropicClientTranslator(string messageId, string model)
    {
        _messageId = messageId;
        _model = model;
    }

    protected override byte[] TranslateJson(int status, ReadOnlyMemory<byte> body)
    {
        var node = Parse(body.Span);
        if (status is >= 200 and < 300 && node is JsonObject completion && completion["choices"] is JsonArray)
        {
            return JsonFields.Bytes(AnthropicResponseMapper.FromChat(completion, _messageId, _model));
        }

        var message = Str(node?["error"], "message") ?? (status is >= 200 and < 300 ? "The upstream answered an unreadable body." : "The request failed.");
        return AnthropicResponseMapper.ErrorBody(status is >= 200 and < 300 ? 502 : status, message);
    }

    protected override void TranslateEvent(string data, StringBuilder output)
    {
        if (data == "[DONE]")
        {
            return;
        }

        var chunk = Parse(Encoding.UTF8.GetBytes(data));
        Start(output);
        if (chunk?["error"] is JsonObject error)
        {
            Event(output, "error", new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = Str(error, "message") ?? "upstream error" },
            });
            return;
        }

        if (chunk?["usage"] is JsonObject usage && usage.Count > 0)
        {
            _input = Int(usage, "prompt_tokens") ?? _input;
            _output = Int(usage, "completion_tokens") ?? _output;
        }

        var choice = (chunk?["choices"] as JsonArray)?.FirstOrDefault();
        var delta = choice?["delta"];
        if (Str(delta, "content") is { Length: > 0 } text)
        {
            if (!_openIsText || _openBlock < 0)
            {
                OpenBlock(output, new JsonObject { ["type"] = "text", ["text"] = "" }, isText: true);
            }

            Event(output, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta", ["index"] = _openBlock, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text },
            });
        }

        foreach (var call in delta?["tool_calls"] as JsonArray ?? [])
        {
            var index = Int(call, "index") ?? 0;
            if (!_toolBlocks.ContainsKey(index))
            {
                OpenBlock(output, new JsonObject
                {
                    ["type"] = "tool_use", ["id"] = Str(call, "id"), ["name"] = Str(call?["function"], "name"), ["input"] = new JsonObject(),
                }, isText: false);
                _toolBlocks[index] = _openBlock;
            }

            if (Str(call?["function"], "arguments") is { Length: > 0 } arguments)
            {
                Event(output, "content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta", ["index"] = _toolBlocks[index],
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = arguments },
                });
            }
        }

        _finish = Str(choice, "finish_reason") ?? _finish;
    }

    protected override void EndOfStream(StringBuilder output)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Start(output);
        CloseBlock(output);
        Event(output, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = AnthropicResponseMapper.StopReason(_finish), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["input_tokens"] = _input, ["output_tokens"] = _output },
        });
        Event(output, "message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private void Start(StringBuilder output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Event(output, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = _messageId, ["type"] = "message", ["role"] = "assistant", ["model"] = _model, ["content"] = new JsonArray(),
                ["stop_reason"] = null, ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = 0, ["output_tokens"] = 0 },
            },
        });
        Event(output, "ping", new JsonObject { ["type"] = "ping" });
    }

    private void OpenBlock(StringBuilder output, JsonObject block, bool isText)
    {
        CloseBlock(output);
        _openBlock = _blocks++;
        _openIsText = isText;
        Event(output, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = _openBlock, ["content_block"] = block });
    }

    private void CloseBlock(StringBuilder output)
    {
        if (_openBlock >= 0)
        {
            Event(output, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = _openBlock });
            _openBlock = -1;
        }
    }

    private static void Event(StringBuilder output, string name, JsonObject data) =>
        output.Append("event: ").Append(name).Append("\ndata: ").Append(data.ToJsonString()).Append("\n\n");

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
