using System.Numerics.Tensors;

namespace Router.Training.Prediction;

/// <summary>
/// A small fully-connected regressor in the shape of scikit-learn's <c>MLPRegressor</c>, which RouterBench's MLP router
/// uses: ReLU hidden layers, linear output, squared loss with L2 penalty <see cref="Alpha"/>, Adam (lr 1e-3,
/// β 0.9/0.999), mini-batches of 200, Glorot-uniform initialisation from a seeded <see cref="Random"/>, and
/// scikit-learn's stopping rule (training loss not improving by 1e-4 for 10 epochs, or <see cref="MaxEpochs"/>).
/// </summary>
internal sealed class SkLearnMlpRegressor
{
    private readonly int[] _sizes;
    private readonly float[][] _w;
    private readonly float[][] _b;

    public SkLearnMlpRegressor(int inputs, IReadOnlyList<int> hidden, int seed)
    {
        _sizes = [inputs, .. hidden, 1];
        _w = new float[_sizes.Length - 1][];
        _b = new float[_sizes.Length - 1][];
        var rng = new Random(seed);
        for (var l = 0; l < _w.Length; l++)
        {
            var (fanIn, fanOut) = (_sizes[l], _sizes[l + 1]);
            var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            _w[l] = new float[fanIn * fanOut];
            _b[l] = new float[fanOut];
            for (var i = 0; i < _w[l].Length; i++)
            {
                _w[l][i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            }

            for (var i = 0; i < fanOut; i++)
            {
                _b[l][i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            }
        }

        Seed = seed;
    }

    public int Seed { get; }

    /// <summary>L2 penalty. Default 1e-4 (scikit-learn).</summary>
    public double Alpha { get; init; } = 1e-4;

    /// <summary>Epoch cap. Default 200 (scikit-learn's max_iter).</summary>
    public int MaxEpochs { get; init; } = 200;

    public int BatchSize { get; init; } = 200;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Fits rows of <paramref name="x"/> (<c>rows.Count × inputs</c>, row-major over all rows) selected by <paramref name="rows"/> to <paramref name="y"/>.</summary>
    public void Fit(float[] x, IReadOnlyList<int> rows, IReadOnlyList<double> y, CancellationToken cancellationToken)
    {
        var layers = _w.Length;
        var mW = _w.Select(w => new float[w.Length]).ToArray();
        var vW = _w.Select(w => new float[w.Length]).ToArray();
        var mB = _b.Select(b => new float[b.Length]).ToArray();
        var vB = _b.Select(b => new float[b.Length]).ToArray();
        var gW = _w.Select(w => new float[w.Length]).ToArray();
        var gB = _b.Select(b => new float[b.Length]).ToArray();
        var acts = _sizes.Select(s => new float[s]).ToArray();
        var deltas = _sizes.Select(s => new float[s]).ToArray();
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var rng = new Random(Seed + 1);
        var best = double.PositiveInfinity;
        var noImprove = 0;
        var step = 0;
        const double B1 = 0.9, B2 = 0.999, Eps = 1e-8;
        for (var epoch = 0; epoch < MaxEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rng.Shuffle(order);
            double loss = 0;
            for (var start = 0; start < order.Length; start += BatchSize)
            {
                var count = Math.Min(BatchSize, order.Length - start);
                foreach (var g in gW)
                {
                    Array.Clear(g);
                }

                foreach (var g in gB)
                {
                    Array.Clear(g);
                }

                for (var s = 0; s < count; s++)
                {
                    var r = order[start + s];
                    var d = _sizes[0];
                    x.AsSpan(rows[r] * d, d).CopyTo(acts[0]);
                    Forward(acts);
                    var err = acts[^1][0] - (float)y[r];
                    loss += err * err / 2;
                    deltas[^1][0] = err;
                    for (var l = layers - 1; l >= 0; l--)
                    {
                        var (nIn, nOut) = (_sizes[l], _sizes[l + 1]);
                        for (var o = 0; o < nOut; o++)
                        {
                            var dOut = deltas[l + 1][o];
                            if (dOut == 0)
                            {
                                continue;
                            }

                            TensorPrimitives.MultiplyAdd(acts[l], dOut, gW[l].AsSpan(o * nIn, nIn), gW[l].AsSpan(o * nIn, nIn));
                            gB[l][o] += dOut;
                        }

                        if (l > 0)
                        {
                            Array.Clear(deltas[l]);
                            for (var o = 0; o < nOut; o++)
                            {
                                var dOut = deltas[l + 1][o];
                                if (dOut != 0)
                                {
                                    TensorPrimitives.MultiplyAdd(_w[l].AsSpan(o * nIn, nIn), dOut, deltas[l], deltas[l]);
                                }
                            }

                            for (var i = 0; i < nIn; i++)
                            {
                                if (acts[l][i] <= 0)
                                {
                                    deltas[l][i] = 0; // ReLU'
                                }
                            }
                        }
                    }
                }

                step++;
                var lrT = LearningRate * Math.Sqrt(1 - Math.Pow(B2, step)) / (1 - Math.Pow(B1, step));
                for (var l = 0; l < layers; l++)
                {
                    Adam(_w[l], gW[l], mW[l], vW[l], count, Alpha, lrT);
                    Adam(_b[l], gB[l], mB[l], vB[l], count, 0, lrT);
                }

                void Adam(float[] p, float[] g, float[] m, float[] v, int n, double alpha, double lr)
                {
                    for (var i = 0; i < p.Length; i++)
                    {
                        var grad = g[i] / n + alpha * p[i] / n;
                        m[i] = (float)(B1 * m[i] + (1 - B1) * grad);
                        v[i] = (float)(B2 * v[i] + (1 - B2) * grad * grad);
                        p[i] -= (float)(lr * m[i] / (Math.Sqrt(v[i]) + Eps));
                    }
                }
            }

            loss /= Math.Max(1, order.Length);
            if (loss > best - 1e-4)
            {
                if (++noImprove >= 10)
                {
                    break;
                }
            }
            else
            {
                noImprove = 0;
            }

            best = Math.Min(best, loss);
        }
    }

    /// <summary>Predicts for one input row.</summary>
    public double Predict(ReadOnlySpan<float> input)
    {
        var acts = _sizes.Select(s => new float[s]).ToArray();
        input.CopyTo(acts[0]);
        Forward(acts);
        return acts[^1][0];
    }

    private void Forward(float[][] acts)
    {
        for (var l = 0; l < _w.Length; l++)
        {
            var (nIn, nOut) = (_sizes[l], _sizes[l + 1]);
            var last = l == _w.Length - 1;
            for (var o = 0; o < nOut; o++)
            {
                var v = TensorPrimitives.Dot(_w[l].AsSpan(o * nIn, nIn), acts[l]) + _b[l][o];
                acts[l + 1][o] = last || v > 0 ? v : 0;
            }
        }
    }
}
