using MathNet.Numerics.LinearAlgebra;
using Router.Core.Prediction;

namespace Router.Core.Tests.Prediction;

public sealed class RidgeRegressionTests
{
    private const int Dimension = 6;
    private const double Rho = 0.7;

    [Fact]
    public void Update_ShermanMorrison_EqualsDirectInverse()
    {
        var (features, targets) = Data(rows: 40, seed: 1);
        var ridge = new RidgeRegression(Dimension, Rho);
        var a = Matrix<double>.Build.DenseIdentity(Dimension) * Rho;
        for (var r = 0; r < targets.Length; r++)
        {
            var z = features.AsSpan(r * Dimension, Dimension);
            ridge.Update(z, targets[r]);
            var v = Vector<double>.Build.DenseOfArray(z.ToArray());
            a += v.OuterProduct(v);
        }

        var inverse = a.Inverse();
        for (var i = 0; i < Dimension; i++)
        {
            for (var j = 0; j < Dimension; j++)
            {
                Assert.Equal(inverse[i, j], ridge.AInverse[(i * Dimension) + j], 10);
            }
        }

        Assert.Equal(40, ridge.Count);
    }

    [Fact]
    public void Update_Incremental_EqualsBatchFitAndAInverseB()
    {
        var (features, targets) = Data(rows: 50, seed: 2);
        double[] prior = [0, 0, 0, 0, 0, 0.4];
        var incremental = new RidgeRegression(Dimension, Rho, prior);
        for (var r = 0; r < targets.Length; r++)
        {
            incremental.Update(features.AsSpan(r * Dimension, Dimension), targets[r]);
        }

        var batch = RidgeRegression.Fit(features, targets, Dimension, Rho, prior);

        // Closed form: w = (ρI + ZᵀZ)⁻¹ (ρw₀ + Zᵀy).
        var z = Matrix<double>.Build.Dense(targets.Length, Dimension, (r, c) => features[(r * Dimension) + c]);
        var a = (z.TransposeThisAndMultiply(z)) + (Matrix<double>.Build.DenseIdentity(Dimension) * Rho);
        var b = (z.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(targets))) + (Vector<double>.Build.DenseOfArray(prior) * Rho);
        var expected = a.Solve(b);
        for (var i = 0; i < Dimension; i++)
        {
            Assert.Equal(expected[i], incremental.Weights[i], 9);
            Assert.Equal(expected[i], batch.Weights[i], 9);
            Assert.Equal(batch.B[i], incremental.B[i], 9);
        }
    }

    [Fact]
    public void Fit_MissingTargets_AreSkipped()
    {
        var (features, targets) = Data(rows: 20, seed: 3);
        var withGaps = (double[])targets.Clone();
        withGaps[3] = double.NaN;
        withGaps[7] = double.NaN;
        var gapped = RidgeRegression.Fit(features, withGaps, Dimension, Rho);

        var kept = Enumerable.Range(0, 20).Where(i => i is not 3 and not 7).ToArray();
        var keptFeatures = kept.SelectMany(i => features.Skip(i * Dimension).Take(Dimension)).ToArray();
        var reference = RidgeRegression.Fit(keptFeatures, kept.Select(i => targets[i]).ToArray(), Dimension, Rho);
        Assert.Equal(18, gapped.Count);
        for (var i = 0; i < Dimension; i++)
        {
            Assert.Equal(reference.Weights[i], gapped.Weights[i], 10);
        }
    }

    [Fact]
    public void Predict_NoData_ReturnsPriorAndVarianceIsNormOverRho()
    {
        double[] prior = [0, 0, 0, 0, 0, 0.65];
        var ridge = new RidgeRegression(Dimension, Rho, prior);
        double[] z = [0.6, 0.8, 0, 0, 0, 1];
        Assert.Equal(0.65, ridge.Predict(z), 12);
        Assert.Equal(2.0 / Rho, ridge.Variance(z), 12);
    }

    [Fact]
    public void Variance_ShrinksAlongObservedDirection()
    {
        var ridge = new RidgeRegression(Dimension, Rho);
        double[] seen = [1, 0, 0, 0, 0, 1];
        double[] unseen = [0, 1, 0, 0, 0, 1];
        var before = ridge.Variance(seen);
        for (var i = 0; i < 10; i++)
        {
            ridge.Update(seen, 1);
        }

        Assert.True(ridge.Variance(seen) < before / 5);
        Assert.True(ridge.Variance(unseen) > ridge.Variance(seen));
    }

    private static (double[] Features, double[] Targets) Data(int rows, int seed)
    {
        var random = new Random(seed);
        var features = new double[rows * Dimension];
        var targets = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < Dimension - 1; c++)
            {
                features[(r * Dimension) + c] = (random.NextDouble() * 2) - 1;
            }

            features[(r * Dimension) + Dimension - 1] = 1;
            targets[r] = (0.3 * features[r * Dimension]) - (0.2 * features[(r * Dimension) + 1]) + 0.5 + (0.05 * random.NextDouble());
        }

        return (features, targets);
    }
}
