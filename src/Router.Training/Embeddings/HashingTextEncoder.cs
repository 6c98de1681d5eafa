using System.Text;
using Router.Core.Embedding;

namespace Router.Training.Embeddings;

/// <summary>
/// A deterministic bag-of-words encoder: lower-cased word unigrams and bigrams hashed (FNV-1a) into
/// <see cref="Dimension"/> signed buckets, L2-normalised. No model weights, microseconds per query; used by tests
/// and as <c>--encoder hashing</c> when the ONNX encoder is unwanted. Thread-safe.
/// </summary>
public sealed class HashingTextEncoder : ITextEncoder
{
    /// <summary>Creates an encoder with <paramref name="dimension"/> buckets (default 256).</summary>
    public HashingTextEncoder(int dimension = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 8);
        Dimension = dimension;
    }

    /// <inheritdoc />
    public string ModelId => $"hashing-uni-bi-{Dimension}";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
    {
        destination[..(texts.Count * Dimension)].Clear();
        for (var t = 0; t < texts.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = destination.Slice(t * Dimension, Dimension);
            string? previous = null;
            foreach (var word in Words(texts[t]))
            {
                Add(row, word);
                if (previous is not null)
                {
                    Add(row, previous + " " + word);
                }

                previous = word;
            }

            var norm = 0.0;
            foreach (var v in row)
            {
                norm += v * v;
            }

            if (norm > 0)
            {
                var inv = (float)(1 / Math.Sqrt(norm));
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] *= inv;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(Span<float> row, string token)
    {
        // FNV-1a over the UTF-16 code units: stable across runs and platforms (string.GetHashCode is not).
        var h = 2166136261u;
        foreach (var c in token)
        {
            h = (h ^ c) * 16777619u;
        }

        row[(int)(h % (uint)Dimension)] += (h & 0x80000000) != 0 ? 1f : -1f;
    }

    private static IEnumerable<string> Words(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0)
            {
                yield return sb.ToString();
                sb.Clear();
            }
        }

        if (sb.Length > 0)
        {
            yield return sb.ToString();
        }
    }
}
