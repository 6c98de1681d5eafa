using System.Numerics.Tensors;

namespace Router.Core.Prediction;

/// <summary>
/// A small nonlinear quality predictor: <c>p̂ = σ(w₂·tanh(W₁e + b₁) + b₂)</c>, trained on cross-entropy with soft
/// targets in [0, 1] (gradient <c>p̂ − y</c> at the logit). Offline: Adam on mini-batches
/// (<see cref="Fit"/>); online: one plain SGD step per observation (<see cref="Update"/>), in scalar loops so that
/// replicas stay bit-identical. Not thread-safe: the engine mutates private copies (copy-on-write).
/// </summary>
public sealed class MlpRegressor
{
    private readonly double[] _w1;
    private readonly double[] _b1;
    private readonly double[] _w2;
    private double _b2;

    /// <summary>A network from its parameters (copied).</summary>
    public MlpRegressor(int inputs, int hidden, ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, double b2, double learningRate)
    {
        if (w1.Length != inputs * hidden || b1.Length != hidden || w2.Length != hidden)
        {
            throw new ArgumentException("MLP parameters have the wrong shape.");
        }

        Inputs = inputs;
        Hidden = hidden;
        _w1 = w1.ToArray();
        _b1 = b1.ToArray();
        _w2 = w2.ToArray();
        _b2 = b2;
        LearningRate = learningRate;
    }

    /// <summary>Input length (the embedding dimension).</summary>
    public int Inputs { get; }

    /// <summary>Hidden units.</summary>
    public int Hidden { get; }

    /// <summary>Step size of online updates.</summary>
    public double LearningRate { get; }

    /// <summary>W₁, row-major hidden × inputs.</summary>
    public ReadOnlySpan<double> W1 => _w1;

    /// <summary>b₁.</summary>
    public ReadOnlySpan<double> B1 => _b1;

    /// <summary>w₂.</summary>
    public ReadOnlySpan<double> W2 => _w2;

    /// <summary>b₂.</summary>
    public double B2 => _b2;

    /// <summary>
    /// Trains on rows of <paramref name="inputs"/> (<c>targets.Length × inputDimension</c>); NaN targets are skipped.
    /// Deterministic for a seed.
    /// </summary>
    public static MlpRegressor Fit(ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int inputDimension, int hidden = 32, int epochs = 60, double learningRate = 0.01, double weightDecay = 1e-4, int seed = 17, double onlineLearningRate = 0.05)
    {
        var known = targets.ToArray();
        var rows = Enumerable.Range(0, known.Length).Where(i => !double.IsNaN(known[i])).ToArray();
        var random = new Random(seed);
        var w1 = new double[hidden * inputDimension];
        for (var i = 0; i < w1.Length; i++)
        {
            w1[i] = (random.NextDouble() - 0.5) * 2 * Math.Sqrt(3.0 / inputDimension);
        }

        var w2 = new double[hidden];
        for (var i = 0; i < hidden; i++)
        {
            w2[i] = (random.NextDouble() - 0.5) * 2 * Math.Sqrt(3.0 / hidden);
        }

        var mean = rows.Length == 0 ? 0.5 : Math.Clamp(rows.Average(i => known[i]), 0.01, 0.99);
        var model = new MlpRegressor(inputDimension, hidden, w1, new double[hidden], w2, Math.Log(mean / (1 - mean)), onlineLearningRate);
        var parameters = (hidden * inputDimension) + hidden + hidden + 1;
        var m = new double[parameters];
        var v = new double[parameters];
        var gradient = new double[parameters];
        var h = new double[hidden];
        var t = 0;
        const int batchSize = 32;
        for (var epoch = 0; epoch < epochs && rows.Length > 0; epoch++)
        {
            random.Shuffle(rows);
            for (var start = 0; start < rows.Length; start += batchSize)
            {
                Array.Clear(gradient);
                var end = Math.Min(rows.Length, start + batchSize);
                for (var r = start; r < end; r++)
                {
                    var x = inputs.Slice(rows[r] * inputDimension, inputDimension);
                    var p = model.Forward(x, h);
                    model.AccumulateGradient(x, h, (p - Math.Clamp(targets[rows[r]], 0, 1)) / (end - start), gradient);
                }

                t++;
                model.AdamStep(gradient, m, v, t, learningRate, weightDecay);
            }
        }

        return model;
    }

    /// <summary>p̂ in (0, 1) for the first <see cref="Inputs"/> values of <paramref name="x"/>.</summary>
    public double Predict(ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[Hidden];
        return Forward(x[..Inputs], h);
    }

    /// <summary>One SGD step towards <paramref name="target"/> (cross-entropy).</summary>
    public void Update(ReadOnlySpan<double> embedding, double target)
    {
        var h = new double[Hidden];
        embedding = embedding[..Inputs];
        var p = Forward(embedding, h, vectorised: false);
        var gradient = new double[(Hidden * Inputs) + Hidden + Hidden + 1];
        AccumulateGradient(embedding, h, p - Math.Clamp(target, 0, 1), gradient);
        Apply(gradient, -LearningRate);
    }

    /// <summary>A deep copy.</summary>
    public MlpRegressor Clone() => new(Inputs, Hidden, _w1, _b1, _w2, _b2, LearningRate);

    private double Forward(ReadOnlySpan<double> x, Span<double> h, bool vectorised = true)
    {
        var logit = _b2;
        for (var j = 0; j < Hidden; j++)
        {
            var row = _w1.AsSpan(j * Inputs, Inputs);
            var a = _b1[j] + (vectorised ? TensorPrimitives.Dot(row, x) : ScalarDot(row, x));
            h[j] = Math.Tanh(a);
            logit += _w2[j] * h[j];
        }

        return 1.0 / (1.0 + Math.Exp(-logit));
    }

    // Layout of gradient: W₁ (hidden × inputs), b₁, w₂, b₂.
    private void AccumulateGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> h, double dLogit, Span<double> gradient)
    {
        var offsetB1 = Hidden * Inputs;
        var offsetW2 = offsetB1 + Hidden;
        for (var j = 0; j < Hidden; j++)
        {
            gradient[offsetW2 + j] += dLogit * h[j];
            var dA = dLogit * _w2[j] * (1 - (h[j] * h[j]));
            gradient[offsetB1 + j] += dA;
            var row = gradient.Slice(j * Inputs, Inputs);
            for (var i = 0; i < Inputs; i++)
            {
                row[i] += dA * x[i];
            }
        }

        gradient[^1] += dLogit;
    }

    private void Apply(ReadOnlySpan<double> delta, double scale)
    {
        var offsetB1 = Hidden * Inputs;
        var offsetW2 = offsetB1 + Hidden;
        for (var i = 0; i < offsetB1; i++)
        {
            _w1[i] += scale * delta[i];
        }

        for (var j = 0; j < Hidden; j++)
        {
            _b1[j] += scale * delta[offsetB1 + j];
            _w2[j] += scale * delta[offsetW2 + j];
        }

        _b2 += scale * delta[^1];
    }

    private void AdamStep(double[] gradient, double[] m, double[] v, int t, double learningRate, double weightDecay)
    {
        var offsetB1 = Hidden * Inputs;
        var c1 = 1 - Math.Pow(0.9, t);
        var c2 = 1 - Math.Pow(0.999, t);
        for (var i = 0; i < gradient.Length; i++)
        {
            var g = gradient[i];
            if (weightDecay > 0 && i < offsetB1)
            {
                g += weightDecay * _w1[i];
            }

            m[i] = (0.9 * m[i]) + (0.1 * g);
            v[i] = (0.999 * v[i]) + (0.001 * g * g);
            gradient[i] = (m[i] / c1) / (Math.Sqrt(v[i] / c2) + 1e-8);
        }

        Apply(gradient, -learningRate);
    }

    private static double ScalarDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var total = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }
}
