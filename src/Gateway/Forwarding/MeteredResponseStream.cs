using System.Buffers;
using System.Text.Json;
using Router.Gateway.Caching;
using Router.Gateway.Usage;

namespace Router.Gateway.Forwarding;

/// <summary>
/// Wraps the client response body while an upstream response is copied into it: passes writes and flushes through at
/// once (SSE stays unbuffered), notes when the first byte went out, and shows the bytes to a
/// <see cref="ResponseUsageParser"/>. When <c>dropUsageOnlyEvents</c> is set (a stream whose client did not ask for
/// usage, while the gateway did), complete SSE events are passed on one by one and the usage-only event
/// (<c>"choices":[]</c> with <c>usage</c>) is held back: clients that index <c>choices[0]</c> on every chunk, as
/// OpenAI's own examples do, would fail on it. With a <see cref="ResponseCapture"/> (only when the response cache may
/// store the answer), every byte written to the client is also copied into it. Not thread-safe (YARP writes sequentially).
/// </summary>
internal sealed class MeteredResponseStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeProvider _time;
    private readonly bool _dropUsageOnlyEvents;
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly ResponseCapture? _capture;

    public MeteredResponseStream(Stream inner, ResponseUsageParser parser, TimeProvider time, bool dropUsageOnlyEvents, ResponseCapture? capture = null)
    {
        _inner = inner;
        _capture = capture;
        Parser = parser;
        _time = time;
        _dropUsageOnlyEvents = dropUsageOnlyEvents;
    }

    public ResponseUsageParser Parser { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the first write; 0 before it.</summary>
    public long FirstWriteTimestamp { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        if (FirstWriteTimestamp == 0)
        {
            FirstWriteTimestamp = _time.GetTimestamp();
        }

        Parser.Append(buffer.Span);
        if (!_dropUsageOnlyEvents)
        {
            await PassAsync(buffer, cancellationToken);
            return;
        }

        _pending.Write(buffer.Span);
        var consumed = 0;
        var forward = 0;
        var pending = _pending.WrittenMemory;
        while (true)
        {
            var end = EventEnd(pending.Span[consumed..]);
            if (end < 0)
            {
                break;
            }

            var evt = pending.Slice(consumed, end);
            if (IsUsageOnly(evt.Span))
            {
                if (consumed > forward)
                {
                    await PassAsync(pending[forward..consumed], cancellationToken);
                }

                forward = consumed + end;
            }

            consumed += end;
        }

        if (consumed > forward)
        {
            await PassAsync(pending[forward..consumed], cancellationToken);
        }

        var rest = pending[consumed..].ToArray();
        _pending.Clear();
        _pending.Write(rest);
    }

    /// <summary>Writes what is left of an unterminated last event (called when the upstream body has ended).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount > 0)
        {
            var rest = _pending.WrittenMemory.ToArray();
            _pending.Clear();
            await PassAsync(rest, cancellationToken);
        }
    }

    /// <summary>Writes to the client, then copies what was written into the capture (if any).</summary>
    private async ValueTask PassAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _inner.WriteAsync(data, cancellationToken);
        _capture?.Append(data.Span);
    }

    /// <summary>Length of the first complete SSE event (through its blank line), or -1.</summary>
    private static int EventEnd(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length - 1; i++)
        {
            if (data[i] != '\n')
            {
                continue;
            }

            if (data[i + 1] == '\n')
            {
                return i + 2;
            }

            if (data[i + 1] == '\r' && i + 2 < data.Length && data[i + 2] == '\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    private static bool IsUsageOnly(ReadOnlySpan<byte> evt)
    {
        if (evt.IndexOf("\"usage\""u8) < 0 || !evt.StartsWith("data:"u8))
        {
            return false;
        }

        try
        {
            var payload = evt[5..].Trim("\r\n "u8);
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object &&
                root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object &&
                root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
