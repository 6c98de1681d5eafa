using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Router.Core.Embedding;

/// <summary>
/// An <see cref="ITextEncoder"/> that remembers every embedding on disk, keyed by <see cref="ITextEncoder.ModelId"/>
/// and a hash of the text: training and evaluation runs embed each prompt once, ever.
/// </summary>
/// <remarks>
/// One append-only file per model identity in <c>cacheDirectory</c> (<c>&lt;sha256(ModelId)[..16]&gt;.emb</c>):
/// a header (magic <c>RCEMB001</c>, dimension, model id) then records of 16 bytes of SHA-256(UTF-8 text) and
/// <c>Dimension</c> little-endian floats. A torn last record (a crash mid-write) is ignored on load.
/// Thread-safe; texts missing from the cache are encoded outside the lock. Not meant for the gateway's hot path.
/// </remarks>
public sealed class CachedTextEncoder : ITextEncoder
{
    private static readonly byte[] Magic = "RCEMB001"u8.ToArray();

    private readonly ITextEncoder _inner;
    private readonly bool _ownsInner;
    private readonly Dictionary<UInt128, float[]> _entries = [];
    private readonly FileStream _file;
    private readonly Lock _lock = new();

    /// <summary>Opens (or creates) the cache file for <paramref name="inner"/>'s model in <paramref name="cacheDirectory"/>.</summary>
    /// <param name="inner">The real encoder, used for misses.</param>
    /// <param name="cacheDirectory">Created when missing.</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with this object. Default true.</param>
    public CachedTextEncoder(ITextEncoder inner, string cacheDirectory, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        _inner = inner;
        _ownsInner = ownsInner;
        Directory.CreateDirectory(cacheDirectory);
        var idHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inner.ModelId)).AsSpan(0, 8));
        FilePath = Path.Combine(cacheDirectory, idHash + ".emb");
        _file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (_file.Length == 0)
        {
            WriteHeader();
        }
        else
        {
            Load();
        }
    }

    /// <inheritdoc />
    public string ModelId => _inner.ModelId;

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>Embeddings held (loaded plus added).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Texts served from the cache since opening.</summary>
    public long Hits { get; private set; }

    /// <summary>Texts sent to the inner encoder since opening.</summary>
    public long Misses { get; private set; }

    /// <inheritdoc />
    public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var d = Dimension;
        if (destination.Length < texts.Count * d)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; {texts.Count} × {d} needed.", nameof(destination));
        }

        var keys = new UInt128[texts.Count];
        var missing = new List<int>();
        lock (_lock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                keys[i] = Key(texts[i]);
                if (_entries.TryGetValue(keys[i], out var row))
                {
                    row.CopyTo(destination.Slice(i * d, d));
                    Hits++;
                }
                else
                {
                    missing.Add(i);
                }
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        var fresh = new float[missing.Count * d];
        Span<byte> key = stackalloc byte[16];
        _inner.Encode(missing.Select(i => texts[i]).ToArray(), fresh, cancellationToken);
        lock (_lock)
        {
            Misses += missing.Count;
            for (var m = 0; m < missing.Count; m++)
            {
                var row = fresh.AsSpan(m * d, d);
                row.CopyTo(destination.Slice(missing[m] * d, d));
                if (_entries.TryAdd(keys[missing[m]], row.ToArray()))
                {
                    MemoryMarshal.Write(key, in keys[missing[m]]);
                    _file.Write(key);
                    _file.Write(MemoryMarshal.AsBytes(row));
                }
            }

            _file.Flush();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        if (_ownsInner)
        {
            _inner.Dispose();
        }
    }

    private static UInt128 Key(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text ?? ""), hash);
        return MemoryMarshal.Read<UInt128>(hash);
    }

    private void WriteHeader()
    {
        using var writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Dimension);
        writer.Write(ModelId);
        writer.Flush();
    }

    private void Load()
    {
        using var reader = new BinaryReader(_file, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadBytes(Magic.Length);
        var dimension = reader.ReadInt32();
        var modelId = reader.ReadString();
        if (!magic.AsSpan().SequenceEqual(Magic) || dimension != Dimension || modelId != ModelId)
        {
            throw new InvalidDataException($"'{FilePath}' is not an embedding cache for {ModelId} ({Dimension} dims).");
        }

        var recordBytes = 16 + (Dimension * sizeof(float));
        var record = new byte[recordBytes];
        long good = _file.Position;
        while (_file.Length - _file.Position >= recordBytes)
        {
            _file.ReadExactly(record);
            var key = MemoryMarshal.Read<UInt128>(record);
            _entries[key] = MemoryMarshal.Cast<byte, float>(record.AsSpan(16)).ToArray();
            good = _file.Position;
        }

        // Drop a torn tail so appends stay aligned.
        _file.SetLength(good);
        _file.Position = good;
    }
}
