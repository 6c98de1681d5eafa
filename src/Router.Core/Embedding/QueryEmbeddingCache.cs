using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Router.Core.Embedding;

/// <summary>
/// Remembers the embeddings of recent routing queries in memory, so a repeated prompt (a retry, a template, a popular
/// question) costs a hash and a copy instead of an encoder run. Bounded: at most <see cref="Capacity"/> entries.
/// </summary>
/// <remarks>
/// Keyed by SHA-256 of the UTF-8 text (first 16 bytes): keys stay 16 bytes however long the prompt, and two different
/// prompts sharing an embedding would need a SHA-256 collision. Eviction is by generations (the "2Q-lite" scheme):
/// entries go into the young generation; when it holds <c>Capacity / 2</c>, it becomes the old one and the previous
/// old one is dropped; a hit in the old generation is copied back into the young. Reads take no lock. Memory:
/// about <c>Capacity × (Dimension × 4 + 100)</c> bytes (10,000 × 384 dims ≈ 16 MB). Thread-safe.
/// </remarks>
public sealed class QueryEmbeddingCache : IQueryEncoder
{
    private readonly IQueryEncoder _inner;
    private readonly Lock _swapLock = new();
    private ConcurrentDictionary<UInt128, float[]> _young = new();
    private ConcurrentDictionary<UInt128, float[]> _old = new();
    private long _hits;
    private long _misses;

    /// <summary>Caches the embeddings of <paramref name="inner"/>.</summary>
    /// <param name="inner">Encodes the misses.</param>
    /// <param name="capacity">Most embeddings held; at least 2.</param>
    public QueryEmbeddingCache(IQueryEncoder inner, int capacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _inner = inner;
        Capacity = capacity;
    }

    /// <inheritdoc />
    public string ModelId => _inner.ModelId;

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <summary>Most embeddings held.</summary>
    public int Capacity { get; }

    /// <summary>Queries answered from memory so far.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Queries sent to the encoder so far.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc />
    public async ValueTask EncodeAsync(string text, Memory<float> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var d = Dimension;
        if (destination.Length < d)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; {d} needed.", nameof(destination));
        }

        var key = Key(text);
        if (TryGet(key, out var cached))
        {
            Interlocked.Increment(ref _hits);
            cached.CopyTo(destination.Span);
            return;
        }

        Interlocked.Increment(ref _misses);
        await _inner.EncodeAsync(text, destination[..d], cancellationToken).ConfigureAwait(false);
        Add(key, destination.Span[..d].ToArray());
    }

    private bool TryGet(UInt128 key, out float[] row)
    {
        if (Volatile.Read(ref _young).TryGetValue(key, out row!))
        {
            return true;
        }

        if (Volatile.Read(ref _old).TryGetValue(key, out row!))
        {
            Add(key, row);
            return true;
        }

        return false;
    }

    private void Add(UInt128 key, float[] row)
    {
        var young = Volatile.Read(ref _young);
        young.TryAdd(key, row);
        if (young.Count < Capacity / 2)
        {
            return;
        }

        lock (_swapLock)
        {
            if (ReferenceEquals(young, _young))
            {
                Volatile.Write(ref _old, young);
                Volatile.Write(ref _young, new ConcurrentDictionary<UInt128, float[]>());
            }
        }
    }

    private static UInt128 Key(string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var bytes = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], hash);
            return MemoryMarshal.Read<UInt128>(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
