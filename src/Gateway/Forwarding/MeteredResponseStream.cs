using Router.Gateway.Usage;

namespace Router.Gateway.Forwarding;

/// <summary>
/// Wraps the client response body while an upstream response is copied into it: passes every write and flush through
/// at once (SSE stays unbuffered), notes when the first byte went out, and shows the bytes to a
/// <see cref="ResponseUsageParser"/>.
/// </summary>
internal sealed class MeteredResponseStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeProvider _time;

    public MeteredResponseStream(Stream inner, ResponseUsageParser parser, TimeProvider time)
    {
        _inner = inner;
        Parser = parser;
        _time = time;
    }

    public ResponseUsageParser Parser { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the first write; 0 before it.</summary>
    public long FirstWriteTimestamp { get; private set; }

    public long BytesWritten { get; private set; }

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

    public override void Write(byte[] buffer, int offset, int count)
    {
        Observe(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        await _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (FirstWriteTimestamp == 0)
        {
            FirstWriteTimestamp = _time.GetTimestamp();
        }

        BytesWritten += bytes.Length;
        Parser.Append(bytes);
    }
}
