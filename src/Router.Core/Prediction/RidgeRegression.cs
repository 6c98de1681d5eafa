using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Router.Core.Prediction;

/// <summary>
/// Bayesian-flavoured ridge regression with exact online updates (DESIGN.md steps 5-6):
/// <c>A = ρI + Σ z zᵀ</c>, <c>b = ρ·w₀ + Σ y z</c>, <c>w = A⁻¹b</c>, so with no data the prediction is the prior
/// <c>w₀</c> (an arm's cold-start guess) and every observation moves it exactly as a batch refit would.
/// <c>A⁻¹</c> is kept up to date by Sherman–Morrison rank-1 updates and doubles as LinUCB's confidence matrix:
/// <c>zᵀA⁻¹z</c> is the (unscaled) predictive variance.
/// Not thread-safe: the engine mutates private copies and publishes them (copy-on-write).
/// </summary>
public sealed class RidgeRegression
{
    private readonly double[] _aInverse;
    private readonly double[] _b;
    private readonly double[] _w;

    /// <summary>A model with no observations: <c>A⁻¹ = I/ρ</c>, <c>w = w₀</c>.</summary>
    /// <param name="dimension">Feature count (embedding plus the constant 1).</param>
    /// <param name="rho">ρ &gt; 0, the ridge strength and LinUCB's prior precision.</param>
    /// <param name="prior">w₀; null for zeros.</param>
    public RidgeRegression(int dimension, double rho, ReadOnlySpan<double> prior = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rho);
        Dimension = dimension;
        Rho = rho;
        _aInverse = new double[dimension * dimension];
        _b = new double[dimension];
        _w = new double[dimension];
        for (var i = 0; i < dimension; i++)
        {
            _aInverse[(i * dimension) + i] = 1.0 / rho;
        }

        if (!prior.IsEmpty)
        {
            if (prior.Length != dimension)
            {
                throw new ArgumentException("Prior length differs from the dimension.", nameof(prior));
            }

            prior.CopyTo(_w);
            for (var i = 0; i < dimension; i++)
            {
                _b[i] = rho * prior[i];
            }
        }
    }

    private RidgeRegression(int dimension, double rho, double[] aInverse, double[] b, double[] w, long count)
    {
        Dimension = dimension;
        Rho = rho;
        _aInverse = aInverse;
        _b = b;
        _w = w;
        Count = count;
    }

    /// <summary>Feature count.</summary>
    public int Dimension { get; }

    /// <summary>ρ.</summary>
    public double Rho { get; }

    /// <summary>Observations folded in.</summary>
    public long Count { get; private set; }

    /// <summary><c>A⁻¹</c>, row-major <c>Dimension × Dimension</c>.</summary>
    public ReadOnlySpan<double> AInverse => _aInverse;

    /// <summary><c>b</c>.</summary>
    public ReadOnlySpan<double> B => _b;

    /// <summary>The weights <c>w = A⁻¹b</c>.</summary>
    public ReadOnlySpan<double> Weights => _w;

    /// <summary>
    /// Rebuilds a model from its stored parts (checkpoints). <paramref name="weights"/> null: recomputed as <c>A⁻¹b</c>
    /// (pass the stored weights to get the saved state back bit for bit).
    /// </summary>
    public static RidgeRegression FromState(int dimension, double rho, double[] aInverse, double[] b, long count, double[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(aInverse);
        ArgumentNullException.ThrowIfNull(b);
        if (aInverse.Length != dimension * dimension || b.Length != dimension)
        {
            throw new ArgumentException("Ridge state has the wrong shape.");
        }

        var w = weights ?? new double[dimension];
        if (weights is null)
        {
            MultiplyInto(aInverse, b, w, dimension);
        }
        else if (weights.Length != dimension)
        {
            throw new ArgumentException("Ridge weights have the wrong shape.", nameof(weights));
        }

        return new RidgeRegression(dimension, rho, aInverse, b, w, count);
    }

    /// <summary>
    /// Batch fit on rows of <paramref name="features"/> (<c>rows × Dimension</c>) with targets <paramref name="targets"/>;
    /// rows whose target is NaN are skipped. Solves with a Cholesky factorisation of <c>A</c> (MathNet.Numerics).
    /// </summary>
    public static RidgeRegression Fit(ReadOnlySpan<double> features, ReadOnlySpan<double> targets, int dimension, double rho, ReadOnlySpan<double> prior = default)
    {
        var rows = targets.Length;
        if (features.Length != rows * dimension)
        {
            throw new ArgumentException("features must be targets.Length × dimension.", nameof(features));
        }

        var b = new double[dimension];
        var gram = new double[dimension * dimension];
        long count = 0;
        for (var r = 0; r < rows; r++)
        {
            var y = targets[r];
            if (double.IsNaN(y))
            {
                continue;
            }

            count++;
            var z = features.Slice(r * dimension, dimension);
            for (var i = 0; i < dimension; i++)
            {
                b[i] += y * z[i];
            }

            AddOuter(gram, z, 1.0);
        }

        return FitFromSums(gram, b, count, dimension, rho, prior);
    }

    /// <summary>
    /// Fit from sufficient statistics: <paramref name="gram"/> = Σ z zᵀ (row-major), <paramref name="sumYz"/> = Σ y z.
    /// Lets a trainer compute the Gram matrix once for all arms. <c>A⁻¹</c> via Cholesky (MathNet.Numerics), symmetrised.
    /// </summary>
    public static RidgeRegression FitFromSums(ReadOnlySpan<double> gram, ReadOnlySpan<double> sumYz, long count, int dimension, double rho, ReadOnlySpan<double> prior = default)
    {
        if (gram.Length != dimension * dimension || sumYz.Length != dimension)
        {
            throw new ArgumentException("Sufficient statistics have the wrong shape.");
        }

        var b = sumYz.ToArray();
        if (!prior.IsEmpty)
        {
            for (var i = 0; i < dimension; i++)
            {
                b[i] += rho * prior[i];
            }
        }

        var a = Matrix<double>.Build.Dense(dimension, dimension, gram.ToArray()) + (Matrix<double>.Build.DenseIdentity(dimension) * rho);
        var inverse = a.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(dimension));
        var aInverse = new double[dimension * dimension];
        for (var i = 0; i < dimension; i++)
        {
            for (var j = 0; j < dimension; j++)
            {
                // Symmetrise: keeps later Sherman–Morrison updates from drifting apart.
                aInverse[(i * dimension) + j] = 0.5 * (inverse[i, j] + inverse[j, i]);
            }
        }

        return FromState(dimension, rho, aInverse, b, count);
    }

    /// <summary><c>gram += scale · z zᵀ</c> (row-major).</summary>
    public static void AddOuter(Span<double> gram, ReadOnlySpan<double> z, double scale)
    {
        var n = z.Length;
        for (var i = 0; i < n; i++)
        {
            var zi = z[i] * scale;
            var row = gram.Slice(i * n, n);
            TensorPrimitives.MultiplyAdd(z, zi, row, row);
        }
    }

    /// <summary>The prediction <c>wᵀz</c>. Read path: vectorised (decisions need not be bit-reproducible, state does).</summary>
    public double Predict(ReadOnlySpan<double> z) => TensorPrimitives.Dot(_w, z);

    /// <summary><c>zᵀA⁻¹z</c>: LinUCB's bonus is <c>α·sqrt</c> of it. Vectorised read path.</summary>
    public double Variance(ReadOnlySpan<double> z)
    {
        var n = Dimension;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += z[i] * TensorPrimitives.Dot(_aInverse.AsSpan(i * n, n), z);
        }

        return Math.Max(0, total);
    }

    /// <summary>
    /// Folds in one observation. Sherman–Morrison: <c>(A + zzᵀ)⁻¹ = A⁻¹ − (A⁻¹z)(A⁻¹z)ᵀ / (1 + zᵀA⁻¹z)</c>; the weights follow
    /// the recursive-least-squares form <c>w' = w + A'⁻¹z·(y − wᵀz)</c>, equal to <c>A'⁻¹b'</c>. Scalar loops in a fixed order,
    /// so replicas folding the same events get bit-identical state.
    /// </summary>
    public void Update(ReadOnlySpan<double> z, double y)
    {
        var n = Dimension;
        if (z.Length != n)
        {
            throw new ArgumentException($"Expected {n} features.", nameof(z));
        }

        var u = new double[n];
        MultiplyInto(_aInverse, z, u, n);
        var denominator = 1.0 + Dot(z, u);
        for (var i = 0; i < n; i++)
        {
            var scale = u[i] / denominator;
            var row = _aInverse.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                row[j] -= scale * u[j];
            }
        }

        var error = y - Dot(_w, z);
        for (var i = 0; i < n; i++)
        {
            _b[i] += y * z[i];

            // A'⁻¹z = u / denominator.
            _w[i] += u[i] / denominator * error;
        }

        Count++;
    }

    /// <summary>A deep copy.</summary>
    public RidgeRegression Clone() =>
        new(Dimension, Rho, (double[])_aInverse.Clone(), (double[])_b.Clone(), (double[])_w.Clone(), Count);

    private static void MultiplyInto(ReadOnlySpan<double> matrix, ReadOnlySpan<double> vector, Span<double> result, int n)
    {
        for (var i = 0; i < n; i++)
        {
            result[i] = Dot(matrix.Slice(i * n, n), vector);
        }
    }

    // A plain loop, not TensorPrimitives: the sum order must not depend on the CPU's vector width (determinism).
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var total = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }
}
