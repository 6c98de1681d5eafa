using Router.Core.Tagging;

namespace Router.Core.Tests.Tagging;

public sealed class TagLossesTests
{
    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(5.0, 0.5)]
    public void LossAndGradient_MatchesFiniteDifferences(double scale, double interWeight)
    {
        const int d = 5, k = 3, clusters = 3, n = 9;
        var random = new Random(7);
        var w = Enumerable.Range(0, k * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var m = Enumerable.Range(0, clusters * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % clusters).ToArray();
        var batch = Enumerable.Range(0, n).ToArray();

        var gradW = new double[w.Length];
        var gradM = new double[m.Length];
        TagLosses.LossAndGradient(w, m, d, k, clusters, x, labels, batch, scale, interWeight, gradW, gradM);

        double Loss() => TagLosses.LossAndGradient(w, m, d, k, clusters, x, labels, batch, scale, interWeight, new double[w.Length], new double[m.Length]);
        const double h = 1e-6;
        for (var i = 0; i < w.Length; i++)
        {
            var keep = w[i];
            w[i] = keep + h;
            var up = Loss();
            w[i] = keep - h;
            var down = Loss();
            w[i] = keep;
            Assert.Equal((up - down) / (2 * h), gradW[i], 6);
        }

        for (var i = 0; i < m.Length; i++)
        {
            var keep = m[i];
            m[i] = keep + h;
            var up = Loss();
            m[i] = keep - h;
            var down = Loss();
            m[i] = keep;
            Assert.Equal((up - down) / (2 * h), gradM[i], 6);
        }
    }

    [Fact]
    public void LossAndGradient_HandCase_EqualsFormula()
    {
        // d = k = 2, W = I, two clusters with centroids along the axes, one query on cluster 0's axis; s = 1.
        double[] w = [1, 0, 0, 1];
        double[] m = [1, 0, 0, 1];
        double[] x = [1, 0];
        var loss = TagLosses.LossAndGradient(w, m, 2, 2, 2, x, [0], [0], 1.0, 1.0, new double[4], new double[4]);

        // L_intra = −log(e¹/(e¹+e⁰)); L_inter = (1/2)(log e⁰ + log e⁰) = 0.
        var expected = -Math.Log(Math.E / (Math.E + 1));
        Assert.Equal(expected, loss, 12);
    }

    [Fact]
    public void Train_LabelledBlobs_LowersLossAndSeparatesClusters()
    {
        var (data, labels) = Blobs(perCluster: 30, clusters: 3, dimension: 12, seed: 3);
        var options = new TagHeadOptions { OutputDimension = 4, Epochs = 40, BatchSize = 32, LearningRate = 0.02 };
        var untrained = TagHeadTrainer.Train(data, 12, labels, options with { Epochs = 0 });
        var trained = TagHeadTrainer.Train(data, 12, labels, options);
        var before = TagHeadTrainer.Loss(untrained, data, labels, options.Temperature, 1);
        var after = TagHeadTrainer.Loss(trained, data, labels, options.Temperature, 1);
        Assert.True(after < before * 0.8, $"loss {before} → {after}");

        var projected = trained.ProjectAll(data);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(1.0, Math.Sqrt(projected.Skip(i * 4).Take(4).Sum(v => (double)v * v)), 5);
        }
    }

    internal static (float[] Data, int[] Labels) Blobs(int perCluster, int clusters, int dimension, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters * dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var data = new float[perCluster * clusters * dimension];
        var labels = new int[perCluster * clusters];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = i % clusters;
            var norm = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                var v = centres[(labels[i] * dimension) + j] + (float)((random.NextDouble() - 0.5) * 0.3);
                data[(i * dimension) + j] = v;
                norm += v * v;
            }

            for (var j = 0; j < dimension; j++)
            {
                data[(i * dimension) + j] /= (float)Math.Sqrt(norm);
            }
        }

        return (data, labels);
    }
}
