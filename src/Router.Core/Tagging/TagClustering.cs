using System.Numerics.Tensors;
using Router.Core.Embedding;

namespace Router.Core.Tagging;

/// <summary>
/// Turns free-text tags into integer cluster labels for <see cref="TagHeadTrainer"/> (MixLLM: "tags are clustered"):
/// distinct tags are embedded, clustered by <see cref="KMeans"/>, and each query takes the cluster nearest to the
/// mean of its tags' embeddings (a query without tags: nearest to its own embedding when given, else cluster 0).
/// </summary>
public static class TagClustering
{
    /// <summary>One label per query in [0, min(clusters, distinct tags)).</summary>
    /// <param name="tagsPerQuery">Each query's tags (e.g. from <see cref="InsTagClient"/>).</param>
    /// <param name="encoder">Embeds the tags (use the router's encoder).</param>
    /// <param name="clusters">Wanted number of clusters.</param>
    /// <param name="seed">k-means seed.</param>
    /// <param name="queryEmbeddings">Optional raw query embeddings (N × encoder.Dimension) for queries without tags.</param>
    public static int[] Labels(IReadOnlyList<IReadOnlyList<string>> tagsPerQuery, ITextEncoder encoder, int clusters, int seed, float[]? queryEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(tagsPerQuery);
        ArgumentNullException.ThrowIfNull(encoder);
        var d = encoder.Dimension;
        var distinct = tagsPerQuery.SelectMany(t => t).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var labels = new int[tagsPerQuery.Count];
        if (distinct.Length == 0)
        {
            return labels;
        }

        var index = distinct.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var tagEmbeddings = EmbeddingBatch.EncodeAll(encoder, distinct);
        var (_, centroids) = KMeans.Fit(tagEmbeddings, d, Math.Min(clusters, distinct.Length), seed);
        var k = centroids.Length / d;
        var mean = new float[d];
        for (var q = 0; q < tagsPerQuery.Count; q++)
        {
            Array.Clear(mean);
            var count = 0;
            foreach (var tag in tagsPerQuery[q])
            {
                if (index.TryGetValue(tag.Trim().ToLowerInvariant(), out var i))
                {
                    TensorPrimitives.Add(mean, tagEmbeddings.AsSpan(i * d, d), mean);
                    count++;
                }
            }

            if (count == 0)
            {
                if (queryEmbeddings is null)
                {
                    continue;
                }

                queryEmbeddings.AsSpan(q * d, d).CopyTo(mean);
            }

            var best = 0;
            var bestDistance = float.MaxValue;
            for (var c = 0; c < k; c++)
            {
                // Compare directions: the mean of unit vectors is shorter than a centroid.
                var similarity = TensorPrimitives.CosineSimilarity(mean, centroids.AsSpan(c * d, d));
                if (-similarity < bestDistance)
                {
                    bestDistance = -similarity;
                    best = c;
                }
            }

            labels[q] = best;
        }

        return labels;
    }
}
