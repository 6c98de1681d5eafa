using System.Numerics.Tensors;

namespace Router.Core.Tagging;

/// <summary>
/// Seeded k-means with k-means++ seeding (Arthur &amp; Vassilvitskii 2007): the fallback source of query "tags" when a
/// dataset has no labels (DESIGN.md step 4). Deterministic for a given seed.
/// </summary>
public static class KMeans
{
    /// <summary>Clusters the rows of <paramref name="data"/> (vectors of <paramref name="dimension"/> floats) into <paramref name="k"/> groups.</summary>
    /// <returns>The label of each row (0..k-1) and the centroids (row-major k × dimension).</returns>
    public static (int[] Labels, float[] Centroids) Fit(ReadOnlySpan<float> data, int dimension, int k, int seed, int maxIterations = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var n = data.Length / dimension;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        k = Math.Min(k, n);
        var random = new Random(seed);
        var centroids = new float[k * dimension];
        var labels = new int[n];
        if (n == 0)
        {
            return (labels, centroids);
        }

        // k-means++: the first centre uniformly, each next one with probability proportional to D(x)².
        var distance = new double[n];
        data.Slice(random.Next(n) * dimension, dimension).CopyTo(centroids);
        for (var i = 0; i < n; i++)
        {
            distance[i] = TensorPrimitives.Distance(data.Slice(i * dimension, dimension), centroids.AsSpan(0, dimension));
            distance[i] *= distance[i];
        }

        for (var c = 1; c < k; c++)
        {
            var total = distance.Sum();
            var pick = n - 1;
            if (total > 0)
            {
                var target = random.NextDouble() * total;
                for (var i = 0; i < n; i++)
                {
                    target -= distance[i];
                    if (target <= 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            else
            {
                pick = random.Next(n);
            }

            var centre = centroids.AsSpan(c * dimension, dimension);
            data.Slice(pick * dimension, dimension).CopyTo(centre);
            for (var i = 0; i < n; i++)
            {
                var d = TensorPrimitives.Distance(data.Slice(i * dimension, dimension), centre);
                distance[i] = Math.Min(distance[i], (double)d * d);
            }
        }

        // Lloyd iterations.
        var sums = new double[k * dimension];
        var counts = new int[k];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var changed = iteration == 0;
            for (var i = 0; i < n; i++)
            {
                var row = data.Slice(i * dimension, dimension);
                var best = 0;
                var bestDistance = float.MaxValue;
                for (var c = 0; c < k; c++)
                {
                    var d = TensorPrimitives.Distance(row, centroids.AsSpan(c * dimension, dimension));
                    if (d < bestDistance)
                    {
                        bestDistance = d;
                        best = c;
                    }
                }

                changed |= labels[i] != best;
                labels[i] = best;
            }

            if (!changed)
            {
                break;
            }

            Array.Clear(sums);
            Array.Clear(counts);
            for (var i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (var j = 0; j < dimension; j++)
                {
                    sums[(labels[i] * dimension) + j] += data[(i * dimension) + j];
                }
            }

            for (var c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    continue; // an empty cluster keeps its centre
                }

                for (var j = 0; j < dimension; j++)
                {
                    centroids[(c * dimension) + j] = (float)(sums[(c * dimension) + j] / counts[c]);
                }
            }
        }

        return (labels, centroids);
    }
}
