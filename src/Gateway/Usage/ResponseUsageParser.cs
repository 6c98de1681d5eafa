using System.Buffers;
using System.Text;
using System.Text.Json;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Usage;

/// <summary>
/// Watches the bytes of an OpenAI response as they go to the client and extracts <c>usage</c> and the generated text:
/// from the JSON body, or from the SSE events of a stream (the last chunk carries usage when
/// <c>stream_options.include_usage</c> is set). Incremental: SSE is parsed line by line as bytes arrive, so nothing is
/// held back from the client. Not thread-safe (one per response).
/// </summary>
public sealed class ResponseUsageParser
{
    /// <summary>JSON bodies larger than this are not parsed for usage (the usage is then estimated).</summary>
    public const int MaxJsonBytes = 8 * 1024 * 1024;

    /// <summary>Generated text kept for estimates.</summary>
    public const int MaxTextChars = 1024 * 1024;

    private readonly bool _isEventStream;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly StringBuilder _text = new();
    private bool _overflow;
    private int? _promptTokens;
    private int? _completionTokens;
    private ResponseUsage? _completed;

    /// <summary>Creates a parser for a response of the given content type.</summary>
    public ResponseUsageParser(string? contentType)
    {
        _isEventStream = contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>Whether the response is an SSE stream.</summary>
    public bool IsEventStream => _isEventStream;

    /// <summary>Feeds the next bytes of the response body.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (!_isEventStream)
        {
            if (_buffer.WrittenCount + bytes.Length > MaxJsonBytes)
            {
                _overflow = true;
                return;
            }

            _buffer.Write(bytes);
            return;
        }

        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (_buffer.WrittenCount + bytes.Length <= MaxJsonBytes)
                {
                    _buffer.Write(bytes);
                }

                return;
            }

            ReadOnlySpan<byte> line;
            if (_buffer.WrittenCount > 0)
            {
                _buffer.Write(bytes[..newline]);
                line = _buffer.WrittenSpan;
            }
            else
            {
                line = bytes[..newline];
            }

            ProcessEventLine(line);
            _buffer.Clear();
            bytes = bytes[(newline + 1)..];
        }
    }

    /// <summary>Ends the body and returns what was found; idempotent (a second call returns the same result).</summary>
    public ResponseUsage Complete()
    {
        if (_completed is { } done)
        {
            return done;
        }

        if (_isEventStream)
        {
            if (_buffer.WrittenCount > 0)
            {
                ProcessEventLine(_buffer.WrittenSpan);
                _buffer.Clear();
            }
        }
        else if (!_overflow && _buffer.WrittenCount > 0)
        {
            ProcessJson(_buffer.WrittenSpan, streaming: false);
        }

        _completed = new ResponseUsage(_promptTokens, _completionTokens, _text.ToString());
        return _completed;
    }

    private void ProcessEventLine(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd((byte)'\r');
        if (!line.StartsWith("data:"u8))
        {
            return;
        }

        var payload = line[5..].TrimStart((byte)' ');
        if (payload.IsEmpty || payload.SequenceEqual("[DONE]"u8))
        {
            return;
        }

        ProcessJson(payload, streaming: true);
    }

    private void ProcessJson(ReadOnlySpan<byte> json, bool streaming)
    {
        json = LenientJsonBytes.ForReading(json);

        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                // A negative or non-integer count is an upstream bug; ignored (the gateway counts itself), so it can never
                // lower a key's spend or the arm's learned length.
                if (TokenCount(usage, "prompt_tokens") is { } pt)
                {
                    _promptTokens = pt;
                }

                if (TokenCount(usage, "completion_tokens") is { } ct)
                {
                    _completionTokens = ct;
                }
                else if (_promptTokens is not null && TokenCount(usage, "total_tokens") is { } tt)
                {
                    // Embeddings report prompt and total only.
                    _completionTokens = Math.Max(0, tt - _promptTokens.Value);
                }
            }

            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    AppendChoiceText(choice, streaming);
                }
            }
        }
        catch (JsonException)
        {
            // Not our business to judge the upstream's JSON: the client gets it as is; usage is then estimated.
        }
    }

    private void AppendChoiceText(JsonElement choice, bool streaming)
    {
        if (choice.ValueKind != JsonValueKind.Object || _text.Length >= MaxTextChars)
        {
            return;
        }

        if (choice.TryGetProperty(streaming ? "delta" : "message", out var message) && message.ValueKind == JsonValueKind.Object &&
            message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            _text.Append(content.GetString());
        }
        else if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            _text.Append(text.GetString());
        }
    }

    /// <summary>A non-negative integer count under <paramref name="name"/>; null when absent, not a number (e.g. a string), fractional, negative or too large.</summary>
    private static int? TokenCount(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : null;
}
