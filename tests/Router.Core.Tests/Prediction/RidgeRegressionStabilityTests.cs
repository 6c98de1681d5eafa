using MathNet.Numerics.LinearAlgebra;
using Router.Core.Prediction;

namespace Router.Core.Tests.Prediction;

/// <summary>
/// Long Sherman–Morrison runs against a direct MathNet inverse of <c>A = ρI + Σ z zᵀ</c>: random, repeated,
/// near-collinear, tiny and huge embeddings. Unit-norm embeddings are what the engine feeds (the head normalises);
/// the others check that nothing turns non-finite and the LinUCB variance never goes negative.
/// </summary>
public sealed class RidgeRegressionStabilityTests
{
    // 16 embedding dimensions + the constant 1: 100,000 updates stay well under a second.
    private const int Dimension = 17;
    private const int Updates = 100_000;

    public enum Stream
    {
        Random,
        SameEmbedding,
        NearCollinear,
        TinyNorm,
        MixedNorms,
        HugeNorm,
    }

    [Theory]
    [InlineData(Stream.Random, 1e-10)]
    [InlineData(Stream.SameEmbedding, 1e-6)]
    [InlineData(Stream.NearCollinear, 1e-6)]
    [InlineData(Stream.TinyNorm, 1e-10)]
    public void Update_100kUnitScaleUpdates_AInverseMatchesDirectInverse(Stream stream, double tolerance)
    {
        var run = Run(stream, Updates, seed: 11);

        var direct = run.A.Inverse();
        var sm = Matrix<double>.Build.Dense(Dimension, Dimension, (i, j) => run.Ridge.AInverse[(i * Dimension) + j]);
        var relative = (sm - direct).Enumerate().Max(Math.Abs) / direct.Enumerate().Max(Math.Abs);
        Assert.True(relative < tolerance, $"{stream}: max |A⁻¹ − inv(A)| / max |inv(A)| = {relative:E3}");

        // A⁻¹ stays positive definite (its symmetric part), so every zᵀA⁻¹z is a true variance.
        var eigen = ((sm + sm.Transpose()) * 0.5).Evd().EigenValues.Min(c => c.Real);
        Assert.True(eigen > 0, $"{stream}: smallest eigenvalue of A⁻¹ {eigen:E3}");

        // RLS weights equal the direct solve A⁻¹b.
        var w = run.A.Solve(Vector<double>.Build.DenseOfArray(run.B));
        for (var i = 0; i < Dimension; i++)
        {
            Assert.Equal(w[i], run.Ridge.Weights[i], 6);
        }

        AssertFiniteAndNonNegativeVariance(run.Ridge, seed: 3);
    }

    [Theory]
    [InlineData(Stream.MixedNorms, Updates)]
    [InlineData(Stream.HugeNorm, 2_000)]
    public void Update_IllConditionedStreams_StayFiniteWithNonNegativeVariance(Stream stream, int updates)
    {
        // Norms from 1e-8 to 1e8 (or 1e15) make A's condition number exceed 1/ε of a double, so no inverse (direct or
        // incremental) is accurate in the flat directions; what must hold is finiteness and a variance ≥ 0.
        var run = Run(stream, updates, seed: 5);
        AssertFiniteAndNonNegativeVariance(run.Ridge, seed: 4);
    }

    private static void AssertFiniteAndNonNegativeVariance(RidgeRegression ridge, int seed)
    {
        Assert.All(ridge.AInverse.ToArray(), v => Assert.True(double.IsFinite(v)));
        Assert.All(ridge.Weights.ToArray(), v => Assert.True(double.IsFinite(v)));
        var random = new Random(seed);
        var probe = new double[Dimension];
        for (var k = 0; k < 200; k++)
        {
            var scale = Math.Pow(10, random.Next(-10, 11));
            for (var i = 0; i < Dimension - 1; i++)
            {
                probe[i] = (random.NextDouble() - 0.5) * scale;
            }

            probe[^1] = 1;
            var variance = ridge.Variance(probe);
            Assert.True(variance >= 0 && double.IsFinite(variance), $"variance {variance}");
            Assert.True(double.IsFinite(ridge.Predict(probe)));
        }
    }

    private static (RidgeRegression Ridge, Matrix<double> A, double[] B) Run(Stream stream, int updates, int seed)
    {
        var random = new Random(seed);
        var ridge = new RidgeRegression(Dimension, rho: 1.0);
        var gram = new double[Dimension * Dimension];
        var b = new double[Dimension];
        var z = new double[Dimension];
        var fixedDirection = new double[Dimension - 1];
        for (var i = 0; i < fixedDirection.Length; i++)
        {
            fixedDirection[i] = random.NextDouble() - 0.5;
        }

        for (var k = 0; k < updates; k++)
        {
            var norm = stream switch
            {
                Stream.TinyNorm => 1e-20,
                Stream.MixedNorms => Math.Pow(10, random.Next(-8, 9)),
                Stream.HugeNorm => 1e15,
                _ => 1.0,
            };
            var squared = 0.0;
            for (var i = 0; i < Dimension - 1; i++)
            {
                z[i] = stream switch
                {
                    Stream.SameEmbedding => fixedDirection[i],
                    Stream.NearCollinear => fixedDirection[i] + (1e-6 * (random.NextDouble() - 0.5)),
                    _ => random.NextDouble() - 0.5,
                };
                squared += z[i] * z[i];
            }

            for (var i = 0; i < Dimension - 1; i++)
            {
                // Through float, as the engine receives embeddings.
                z[i] = (float)(z[i] / Math.Sqrt(squared) * norm);
            }

            z[^1] = 1;
            double y = random.Next(2);
            ridge.Update(z, y);
            RidgeRegression.AddOuter(gram, z, 1.0);
            for (var i = 0; i < Dimension; i++)
            {
                b[i] += y * z[i];
            }
        }

        var a = Matrix<double>.Build.Dense(Dimension, Dimension, (i, j) => gram[(i * Dimension) + j] + (i == j ? 1.0 : 0.0));
        return (ridge, a, b);
    }
}
