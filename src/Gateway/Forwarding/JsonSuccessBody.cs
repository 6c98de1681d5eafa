using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Router.Gateway.Forwarding;

/// <summary>
/// Looks at the start of a 2xx JSON (non-streamed) upstream body before any byte reaches the client: some
/// OpenAI-compatible servers and proxies answer 200 with <c>{"error": {...}}</c> (or vLLM's
/// <c>{"object": "error", ...}</c>), and a body that is not JSON at all cannot be parsed by the client either. Both
/// are refused as an invalid upstream response (502, the next arm may serve) instead of passed on as a success.
/// Only a bounded prefix is read; the response is then passed on from that prefix followed by the rest of the stream.
/// </summary>
internal static class JsonSuccessBody
{
    /// <summary>How much of the body is read before it is passed on (error objects are small and come first).</summary>
    public const int PeekBytes = 8 * 1024;

    /// <summary>
    /// Reads up to <see cref="PeekBytes"/> of <paramref name="response"/>'s body and replaces its content by one that
    /// yields those bytes and then the rest; returns the prefix and whether it is the whole body.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Prefix, bool Complete)> PeekAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var original = response.Content;
        var stream = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        // Pooled: the replacement stream returns it when the forwarder disposes the response.
        var buffer = ArrayPool<byte>.Shared.Rent(PeekBytes);
        var total = 0;
        int read;
        while (total < PeekBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, PeekBytes - total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        var replacement = new StreamContent(new PrefixedReadStream(buffer, total, stream));
        foreach (var header in original.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replacement; // the forwarder copies the body from here; disposing it disposes the original stream
        return (buffer.AsMemory(0, total), total < PeekBytes);
    }

    /// <summary>
    /// Why the body is not a success to pass on (an error object at the top level, or, when <paramref name="complete"/>,
    /// not JSON), or null. A prefix that ends inside the document is judged on the top-level members it holds.
    /// </summary>
    public static string? Problem(ReadOnlySpan<byte> prefix, bool complete, string? secret)
    {
        if (prefix.Trim(" \t\r\n"u8).IsEmpty)
        {
            return complete ? "answered 200 with an empty body" : null;
        }

        var reader = new Utf8JsonReader(prefix, isFinalBlock: complete, state: default);
        try
        {
            if (!reader.Read())
            {
                return null; // a prefix that ends inside the first token
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null; // JSON, just not an object: not an error envelope; the client's parser decides
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                var isObject = reader.ValueTextEquals("object"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if ((isError && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.String)
                    || (isObject && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8)))
                {
                    var message = UpstreamErrors.Describe(prefix, secret);
                    return $"answered 200 with an error in the body: {message}";
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                {
                    return null; // the rest of this member is past the prefix
                }
            }
        }
        catch (JsonException ex)
        {
            return complete ? $"answered 200 with a body that is not JSON ({ex.Message.Split('.')[0]}): {Snippet(prefix)}" : null;
        }

        return null;
    }

    private static string Snippet(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty)" : text;
    }

    /// <summary>A read-only stream: the first <c>length</c> bytes of a pooled <c>prefix</c>, then <c>rest</c>.</summary>
    private sealed class PrefixedReadStream(byte[] prefix, int length, Stream rest) : Stream
    {
        private byte[]? _prefix = prefix;
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

        public override int Read(Span<byte> buffer) =>
            _position < length ? CopyPrefix(buffer) : rest.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _position < length ? ValueTask.FromResult(CopyPrefix(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

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
                ArrayPool<byte>.Shared.Return(pooled);
                rest.Dispose();
            }

            base.Dispose(disposing);
        }

        private int CopyPrefix(Span<byte> destination)
        {
            ObjectDisposedException.ThrowIf(_prefix is null, this);
            var n = Math.Min(destination.Length, length - _position);
            _prefix.AsSpan(_position, n).CopyTo(destination);
            _position += n;
            return n;
        }
    }
}
