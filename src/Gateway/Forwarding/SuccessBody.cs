using System.Buffers;
using System.Text;
using System.Text.Json;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Forwarding;

/// <summary>
/// Looks at the start of a 2xx upstream body before any byte reaches the client. Some OpenAI-compatible servers and
/// proxies answer 200 with <c>{"error": {...}}</c> (or vLLM's <c>{"object": "error", ...}</c>), or open a stream whose
/// first event is such an error; a JSON body that is not JSON at all, or a stream that ends before any event, cannot be
/// used by the client either. All are refused as an invalid upstream response (502, and <c>auto</c> falls back to the
/// next arm) instead of passed on as a success. Only a bounded prefix is read (JSON: up to <see cref="PeekBytes"/>;
/// a stream: up to its first data event); the response is then passed on from that prefix followed by the rest.
/// </summary>
internal static class SuccessBody
{
    /// <summary>The most that is read before the response is passed on (error objects are small and come first).</summary>
    public const int PeekBytes = 8 * 1024;

    /// <summary>
    /// Reads the start of <paramref name="response"/>'s body (a JSON body: up to <see cref="PeekBytes"/>; an event
    /// stream: until its first event with data, at most <see cref="PeekBytes"/>) and replaces its content by one that
    /// yields those bytes and then the rest; returns the prefix and whether it is the whole body. An event stream that
    /// has sent bytes without a data event yet (keep-alive comments while the model thinks) is passed on once
    /// <paramref name="keepAlivePatience"/> (<see cref="Timeout.InfiniteTimeSpan"/>: never) has passed since the peek
    /// began, with the read in progress handed to the replacement content: the forwarder's idle timeout only restarts
    /// when it copies bytes, so waiting longer for the first event would turn a stream that keeps its connection alive
    /// into a timeout.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Prefix, bool Complete)> PeekAsync(
        HttpResponseMessage response, bool eventStream, TimeSpan keepAlivePatience, TimeProvider time, CancellationToken cancellationToken)
    {
        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        // Pooled: the replacement stream returns it when the forwarder disposes the response.
        var buffer = ArrayPool<byte>.Shared.Rent(PeekBytes);
        var started = time.GetTimestamp();
        var total = 0;
        var complete = false;
        Task<int>? pending = null;
        while (total < PeekBytes && !(eventStream && HasFirstDataEvent(buffer.AsSpan(0, total))))
        {
            var read = stream.ReadAsync(buffer.AsMemory(total, PeekBytes - total), cancellationToken);
            if (eventStream && total > 0 && keepAlivePatience != Timeout.InfiniteTimeSpan && !read.IsCompleted)
            {
                var readTask = read.AsTask();
                if (!await ArrivesWithinAsync(readTask, keepAlivePatience - time.GetElapsedTime(started), time, cancellationToken).ConfigureAwait(false))
                {
                    pending = readTask; // it reads into buffer[total..]: the replacement stream picks it up
                    break;
                }

                read = new ValueTask<int>(readTask);
            }

            var n = await read.ConfigureAwait(false);
            if (n == 0)
            {
                complete = true;
                break;
            }

            total += n;
        }

        var replacement = new StreamContent(new PrefixedReadStream(buffer, total, pending, stream));
        foreach (var header in original.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replacement; // the forwarder copies the body from here; disposing it disposes the original stream
        return (buffer.AsMemory(0, total), complete);
    }

    /// <summary>
    /// Why the start of an event stream is not a success to pass on (its first event is an error, or the stream ended
    /// before any event), or null.
    /// </summary>
    public static string? StreamProblem(ReadOnlySpan<byte> prefix, bool complete, string? secret)
    {
        if (!TryFirstDataEvent(prefix, out var eventName, out var data))
        {
            return complete ? "answered 200 with an event stream that ended before its first event" : null;
        }

        if (eventName.SequenceEqual("error"u8))
        {
            return $"answered 200 with an error event first in the stream: {UpstreamErrors.Describe(data, secret)}";
        }

        return IsErrorObject(data)
            ? $"answered 200 with an error event first in the stream: {UpstreamErrors.Describe(data, secret)}"
            : null;
    }

    /// <summary>
    /// Why the body is not a success to pass on (an error object at the top level, or, when <paramref name="complete"/>,
    /// not JSON), or null. A prefix that ends inside the document is judged on the top-level members it holds.
    /// </summary>
    public static string? JsonProblem(ReadOnlySpan<byte> prefix, bool complete, string? secret)
    {
        prefix = LenientJsonBytes.WithoutByteOrderMark(prefix);
        if (prefix.Trim(" \t\r\n"u8).IsEmpty)
        {
            return complete ? "answered 200 with an empty body" : null;
        }

        try
        {
            return HasTopLevelError(prefix, complete)
                ? $"answered 200 with an error in the body: {UpstreamErrors.Describe(prefix, secret)}"
                : null;
        }
        catch (JsonException ex)
        {
            return complete ? $"answered 200 with a body that is not JSON ({ex.Message.Split('.')[0]}): {Snippet(prefix)}" : null;
        }
    }

    // Whether the JSON object in json (a prefix of it when isFinal is false) has a top-level "error" object or string,
    // or "object": "error", among the members it holds whole. Throws JsonException when it is not JSON.
    private static bool HasTopLevelError(ReadOnlySpan<byte> json, bool isFinal)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: isFinal, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false; // the prefix ends inside the first token, or JSON that is not an object (not an error envelope)
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isError = reader.ValueTextEquals("error"u8);
            var isObject = reader.ValueTextEquals("object"u8);
            if (!reader.Read())
            {
                return false;
            }

            if ((isError && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.String)
                || (isObject && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8)))
            {
                return true;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
            {
                return false; // the rest of this member is past the prefix
            }
        }

        return false;
    }

    // A stream event's data: a whole JSON value with a top-level error; anything else (e.g. "[DONE]") is not one.
    private static bool IsErrorObject(ReadOnlySpan<byte> data)
    {
        try
        {
            return HasTopLevelError(data, isFinal: true);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool HasFirstDataEvent(ReadOnlySpan<byte> prefix) => TryFirstDataEvent(prefix, out _, out _);

    // Whether read completes within wait (false: it is still in progress); throws if cancellationToken is cancelled.
    private static async Task<bool> ArrivesWithinAsync(Task<int> read, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        if (wait > TimeSpan.Zero)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wait, time, timer.Token);
            await Task.WhenAny(read, delay).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return read.IsCompleted;
    }

    // The first complete SSE event (ended by a blank line) that has a data field: its event name and its data (the
    // first data line's value; OpenAI-style servers send one JSON object per data line). Comments (":") and events
    // without data (keep-alives) are skipped.
    private static bool TryFirstDataEvent(ReadOnlySpan<byte> prefix, out ReadOnlySpan<byte> eventName, out ReadOnlySpan<byte> data)
    {
        prefix = LenientJsonBytes.WithoutByteOrderMark(prefix);
        eventName = default;
        data = default;
        var hasData = false;
        while (true)
        {
            var newline = prefix.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false; // the event is not complete yet
            }

            var line = prefix[..newline];
            prefix = prefix[(newline + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                if (hasData)
                {
                    return true;
                }

                eventName = default;
                continue;
            }

            if (line.StartsWith("data:"u8) && !hasData)
            {
                data = Field(line[5..]);
                hasData = true;
            }
            else if (line.StartsWith("event:"u8))
            {
                eventName = Field(line[6..]);
            }
        }

        static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> value) => !value.IsEmpty && value[0] == (byte)' ' ? value[1..] : value;
    }

    private static string Snippet(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty)" : text;
    }

    /// <summary>
    /// A read-only stream: the first <c>length</c> bytes of a pooled <c>prefix</c>, then what a <c>pending</c> read
    /// (if any) puts after them in the same buffer, then <c>rest</c>.
    /// </summary>
    private sealed class PrefixedReadStream(byte[] prefix, int length, Task<int>? pending, Stream rest) : Stream
    {
        private byte[]? _prefix = prefix;
        private int _length = length;
        private Task<int>? _pending = pending;
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < _length)
            {
                return CopyPrefix(buffer);
            }

            if (_pending is { } pending)
            {
                return Received(pending.GetAwaiter().GetResult(), buffer);
            }

            return rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _position < _length ? ValueTask.FromResult(CopyPrefix(buffer.Span))
            : _pending is { } pending ? ReadPendingAsync(pending, buffer, cancellationToken)
            : rest.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _prefix, null) is { } pooled)
            {
                rest.Dispose(); // ends a pending read too
                if (_pending is { IsCompleted: false } pending)
                {
                    // It may still write into the buffer: not returned to the pool (the GC takes it); its failure is observed.
                    _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(pooled);
                }
            }

            base.Dispose(disposing);
        }

        private async ValueTask<int> ReadPendingAsync(Task<int> pending, Memory<byte> buffer, CancellationToken cancellationToken) =>
            Received(await pending.WaitAsync(cancellationToken).ConfigureAwait(false), buffer.Span);

        // The pending read ended with read bytes after the prefix (0: the body ended); they are yielded like the prefix.
        private int Received(int read, Span<byte> destination)
        {
            _pending = null;
            _length += read;
            return read == 0 ? 0 : CopyPrefix(destination);
        }

        private int CopyPrefix(Span<byte> destination)
        {
            ObjectDisposedException.ThrowIf(_prefix is null, this);
            var n = Math.Min(destination.Length, _length - _position);
            _prefix.AsSpan(_position, n).CopyTo(destination);
            _position += n;
            return n;
        }
    }
}
