using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Pipeline;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// A read stream over an Anthropic Messages SSE body that yields OpenAI <c>chat.completion.chunk</c> events
/// (message_start → the role chunk; text_delta → content; tool_use start and input_json_delta → tool_calls;
/// message_delta → finish_reason; message_stop → the usage chunk and <c>[DONE]</c>; ping ignored; an error event →
/// an OpenAI error event). With an <see cref="AnthropicJsonAnswer"/>, the answer tool's input_json_delta fragments are
/// content deltas (a wrapped schema's answer is held until its content_block_stop, then unwrapped). Pull-based: it reads upstream only as fast as the gateway reads it. Not thread-safe.
/// </summary>
internal sealed class AnthropicStreamToChat : Stream
{
    private readonly Stream _upstream;
    private readonly long _created;
    private readonly SseEventParser _events = new();
    private readonly Dictionary<long, int> _toolIndex = [];
    private readonly AnthropicJsonAnswer? _json;
    private readonly StringBuilder _heldAnswer = new();
    private long? _answerBlock;
    private readonly byte[] _readBuffer = new byte[8192];
    private byte[] _pending = [];
    private int _pendingOffset;
    private string _id = "chatcmpl-anthropic";
    private string? _model;
    private long _input;
    private long _output;
    private bool _ended;

    public AnthropicStreamToChat(Stream upstream, long created, AnthropicJsonAnswer? json = null)
    {
        _upstream = upstream;
        _created = created;
        _json = json;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pendingOffset >= _pending.Length)
        {
            if (_ended)
            {
                return 0;
            }

            var read = await _upstream.ReadAsync(_readBuffer, cancellationToken);
            var output = new StringBuilder();
            if (read == 0)
            {
                _events.End(data => Translate(data, output));
                _ended = true;
            }
            else
            {
                _events.Feed(_readBuffer.AsSpan(0, read), data => Translate(data, output));
            }

            _pending = Encoding.UTF8.GetBytes(output.ToString());
            _pendingOffset = 0;
        }

        var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
        _pendingOffset += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _upstream.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Translate(string data, StringBuilder output)
    {
        JsonNode? evt;
        try
        {
            evt = JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return;
        }

        switch (Str(evt, "type"))
        {
            case "message_start":
                _id = "chatcmpl-" + (Str(evt!["message"], "id") ?? "anthropic");
                _model = Str(evt!["message"], "model");
                _input = AnthropicResponseMapper.InputTokens(evt["message"]?["usage"]);
                _output = Int(evt["message"]?["usage"], "output_tokens") ?? 0;
                Chunk(output, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null);
                break;
            case "content_block_start" when Str(evt!["content_block"], "type") == "tool_use" && AnthropicJsonAnswer.IsAnswer(_json, evt["content_block"]):
                _answerBlock = Int(evt, "index") ?? 0;
                break;
            case "content_block_delta" when _answerBlock is { } answer && (Int(evt!, "index") ?? 0) == answer:
                if (_json!.Wrapped)
                {
                    _heldAnswer.Append(Str(evt!["delta"], "partial_json"));
                }
                else if (Str(evt!["delta"], "partial_json") is { Length: > 0 } fragment)
                {
                    Chunk(output, new JsonObject { ["content"] = fragment }, null);
                }

                break;
            case "content_block_stop" when _answerBlock is { } answer && (Int(evt!, "index") ?? 0) == answer:
                if (_json!.Wrapped)
                {
                    Chunk(output, new JsonObject { ["content"] = _json.Text(_heldAnswer.ToString()) }, null);
                }

                _answerBlock = null;
                break;
            case "content_block_start" when Str(evt!["content_block"], "type") == "tool_use":
                var index = _toolIndex.Count;
                _toolIndex[Int(evt, "index") ?? 0] = index;
                Chunk(output, new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = index,
                        ["id"] = Str(evt["content_block"], "id"),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = Str(evt["content_block"], "name"), ["arguments"] = "" },
                    }),
                }, null);
                break;
            case "content_block_delta" when Str(evt!["delta"], "type") == "text_delta":
                Chunk(output, new JsonObject { ["content"] = Str(evt["delta"], "text") }, null);
                break;
            case "content_block_delta" when Str(evt!["delta"], "type") == "input_json_delta":
                Chunk(output, new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["index"] = _toolIndex.GetValueOrDefault(Int(evt, "index") ?? 0),
                        ["function"] = new JsonObject { ["arguments"] = Str(evt["delta"], "partial_json") },
                    }),
                }, null);
                break;
            case "message_delta":
                _output = Int(evt!["usage"], "output_tokens") ?? _output;
                Chunk(output, [], AnthropicResponseMapper.FinishReason(Str(evt["delta"], "stop_reason"), _toolIndex.Count > 0));
                break;
            case "message_stop":
                var usage = new JsonObject
                {
                    ["id"] = _id, ["object"] = "chat.completion.chunk", ["created"] = _created, ["model"] = _model, ["choices"] = new JsonArray(),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = _input, ["completion_tokens"] = _output, ["total_tokens"] = _input + _output },
                };
                output.Append("data: ").Append(usage.ToJsonString()).Append("\n\ndata: [DONE]\n\n");
                break;
            case "error":
                var error = new JsonObject
                {
                    ["error"] = new JsonObject { ["message"] = Str(evt!["error"], "message"), ["type"] = Str(evt["error"], "type") ?? "api_error" },
                };
                output.Append("data: ").Append(error.ToJsonString()).Append("\n\n");
                break;
        }
    }

    private void Chunk(StringBuilder output, JsonObject delta, string? finishReason)
    {
        var chunk = new JsonObject
        {
            ["id"] = _id,
            ["object"] = "chat.completion.chunk",
            ["created"] = _created,
            ["model"] = _model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        };
        output.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");
    }
}
