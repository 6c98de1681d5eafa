using System.Buffers;

namespace Router.Gateway.Caching;

/// <summary>
/// A copy of the response body as it passes to the client, for the cache: bytes go into a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> (grown by doubling) until more than <see cref="Limit"/> have passed, after which the
/// capture is <see cref="Overflowed"/>, its buffer returned, and the answer not stored. Created only for a request
/// the cache may store; <see cref="Reset"/> before each upstream attempt. Not thread-safe (one writer: the response).
/// </summary>
internal sealed class ResponseCapture : IDisposable
{
    private const int InitialSize = 4096;
    private byte[]? _buffer;
    private int _length;

    public ResponseCapture(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>Most bytes kept.</summary>
    public int Limit { get; }

    /// <summary>True once more than <see cref="Limit"/> bytes passed (nothing is kept then).</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The bytes captured so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer is null ? [] : _buffer.AsSpan(0, _length);

    /// <summary>Copies <paramref name="data"/> in, or overflows.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (Overflowed || data.IsEmpty)
        {
            return;
        }

        if (data.Length > Limit - _length)
        {
            Overflowed = true;
            Release();
            return;
        }

        var needed = _length + data.Length;
        if (_buffer is null || _buffer.Length < needed)
        {
            var size = Math.Max(InitialSize, _buffer?.Length ?? 0);
            while (size < needed)
            {
                size = (int)Math.Min((long)size * 2, Array.MaxLength);
            }

            var grown = ArrayPool<byte>.Shared.Rent(size);
            Written.CopyTo(grown);
            Release();
            _buffer = grown;
            _length = needed - data.Length;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }

    /// <summary>Forgets what was captured (a new upstream attempt starts).</summary>
    public void Reset()
    {
        Release();
        Overflowed = false;
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _length = 0;
    }
}
