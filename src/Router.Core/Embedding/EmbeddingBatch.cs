namespace Router.Core.Embedding;

/// <summary>Embeds long lists of texts (training and evaluation sets) in length-sorted batches.</summary>
public static class EmbeddingBatch
{
    /// <summary>
    /// Embeds every text; returns <c>texts.Count × encoder.Dimension</c> floats, row i for text i.
    /// Texts are batched in order of length so each batch pads little; <paramref name="progress"/> gets
    /// (texts done, total) after each batch.
    /// </summary>
    public static float[] EncodeAll(
        ITextEncoder encoder,
        IReadOnlyList<string> texts,
        int batchSize = 32,
        Action<int, int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var d = encoder.Dimension;
        var result = new float[texts.Count * d];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i]?.Length ?? 0).ToArray();
        var batch = new string[batchSize];
        var rows = new float[batchSize * d];
        for (var start = 0; start < order.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, order.Length - start);
            for (var j = 0; j < count; j++)
            {
                batch[j] = texts[order[start + j]] ?? "";
            }

            encoder.Encode(new ArraySegment<string>(batch, 0, count), rows.AsSpan(0, count * d), cancellationToken);
            for (var j = 0; j < count; j++)
            {
                rows.AsSpan(j * d, d).CopyTo(result.AsSpan(order[start + j] * d, d));
            }

            progress?.Invoke(start + count, texts.Count);
        }

        return result;
    }
}
