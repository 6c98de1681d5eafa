using Router.Core.Embedding;

namespace Router.Core.Tagging;

/// <summary>
/// Trains the tag-enhanced <see cref="ProjectionHead"/> on frozen encoder embeddings and integer cluster labels
/// (dataset task/subject names, or <see cref="KMeans"/> clusters) by Adam on <see cref="TagLosses"/>.
/// Deterministic for a given seed on a given machine.
/// </summary>
public static class TagHeadTrainer
{
    /// <summary>
    /// Trains a head. <paramref name="embeddings"/>: <c>labels.Length × dimension</c> floats; labels in [0, C).
    /// <paramref name="progress"/> gets (epoch, mean loss) after each epoch.
    /// </summary>
    public static ProjectionHead Train(
        ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels, TagHeadOptions? options = null,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TagHeadOptions();
        var n = labels.Length;
        if (embeddings.Length != n * dimension)
        {
            throw new ArgumentException("embeddings must be labels.Length × dimension.", nameof(embeddings));
        }

        var k = options.OutputDimension;
        var clusters = n == 0 ? 1 : labels.ToArray().Max() + 1;
        var x = new double[embeddings.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = embeddings[i];
        }

        var random = new Random(options.Seed);

        // W: Gaussian N(0, 1/d), a random near-isometry of the unit sphere.
        var w = new double[k * dimension];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = Gaussian(random) / Math.Sqrt(dimension);
        }

        // M: the clusters' mean projected embeddings, so training starts from sensible centroids.
        var m = new double[clusters * k];
        for (var i = 0; i < n; i++)
        {
            for (var r = 0; r < k; r++)
            {
                var dot = 0.0;
                for (var c = 0; c < dimension; c++)
                {
                    dot += w[(r * dimension) + c] * x[(i * dimension) + c];
                }

                m[(labels[i] * k) + r] += dot;
            }
        }

        for (var i = 0; i < m.Length; i++)
        {
            m[i] = m[i] == 0 ? Gaussian(random) * 1e-3 : m[i];
        }

        var adamW = new Adam(w.Length, options.LearningRate);
        var adamM = new Adam(m.Length, options.LearningRate);
        var gradW = new double[w.Length];
        var gradM = new double[m.Length];
        var order = Enumerable.Range(0, n).ToArray();
        var labelArray = labels.ToArray();
        for (var epoch = 0; epoch < options.Epochs && n > 0; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            var total = 0.0;
            var batches = 0;
            for (var start = 0; start < n; start += options.BatchSize)
            {
                var batch = order.AsSpan(start, Math.Min(options.BatchSize, n - start));
                Array.Clear(gradW);
                Array.Clear(gradM);
                total += TagLosses.LossAndGradient(w, m, dimension, k, clusters, x, labelArray, batch,
                    1.0 / options.Temperature, options.InterWeight, gradW, gradM);
                batches++;
                adamW.Step(w, gradW);
                adamM.Step(m, gradM);
            }

            progress?.Invoke(epoch + 1, total / Math.Max(1, batches));
        }

        var weights = new float[w.Length];
        for (var i = 0; i < w.Length; i++)
        {
            weights[i] = (float)w[i];
        }

        return new ProjectionHead(dimension, k, weights);
    }

    /// <summary>Mean loss of a head on labelled data (for reports and tests).</summary>
    public static double Loss(ProjectionHead head, ReadOnlySpan<float> embeddings, ReadOnlySpan<int> labels, double temperature, double interWeight)
    {
        ArgumentNullException.ThrowIfNull(head);
        var d = head.InputDimension;
        var k = head.OutputDimension;
        var clusters = labels.ToArray().Max() + 1;
        var x = new double[embeddings.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = embeddings[i];
        }

        var w = new double[k * d];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = head.Weights[i];
        }

        // Centroids: the clusters' mean head outputs.
        var projected = head.ProjectAll(embeddings);
        var m = new double[clusters * k];
        for (var i = 0; i < labels.Length; i++)
        {
            for (var r = 0; r < k; r++)
            {
                m[(labels[i] * k) + r] += projected[(i * k) + r];
            }
        }

        var batch = Enumerable.Range(0, labels.Length).ToArray();
        return TagLosses.LossAndGradient(w, m, d, k, clusters, x, labels, batch, 1.0 / temperature, interWeight,
            new double[w.Length], new double[m.Length]);
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Adam (Kingma &amp; Ba 2015) with the paper's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.</summary>
    private sealed class Adam(int size, double learningRate)
    {
        private readonly double[] _m = new double[size];
        private readonly double[] _v = new double[size];
        private int _t;

        public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
        {
            _t++;
            var correction1 = 1 - Math.Pow(0.9, _t);
            var correction2 = 1 - Math.Pow(0.999, _t);
            for (var i = 0; i < parameters.Length; i++)
            {
                _m[i] = (0.9 * _m[i]) + (0.1 * gradient[i]);
                _v[i] = (0.999 * _v[i]) + (0.001 * gradient[i] * gradient[i]);
                parameters[i] -= learningRate * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + 1e-8);
            }
        }
    }
}
