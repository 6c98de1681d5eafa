namespace Router.Core.Personalisation;

// The low-rank part of PersonalPreferenceModel and the κ estimate: alternating least squares on the users × arms
// matrix of mean residuals, each cell weighted by its rating count (so the loss is the rating-level squared error,
// Koren, Bell & Volinsky 2009, eq. 2, solved by ALS as in Hu, Koren & Volinsky 2008), with L2 strength λ on both
// sides. A user's factor is re-solved after each of their ratings (a k × k system); the arm factors, shared by all
// users, are refitted every RefitEvery ratings. (A plain comment: doc comments on parts of a partial type merge.)
public sealed partial class PersonalPreferenceModel
{
    // Initial arm factors: uniform in ±0.1 from SplitMix64 over (seed, FNV-1a of the name, component), so every
    // replica, and every restart, draws the same values without System.Random (whose algorithm is not a contract).
    private double[] InitialArmFactor(string arm)
    {
        var hash = 14695981039346656037UL ^ (ulong)(uint)Options.Seed;
        foreach (var c in arm)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        var factor = new double[Options.Rank];
        for (var i = 0; i < factor.Length; i++)
        {
            hash += 0x9E3779B97F4A7C15UL;
            var z = hash;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            factor[i] = (((z >> 11) * (1.0 / (1UL << 53))) - 0.5) * 0.2;
        }

        return factor;
    }

    // p_u = (λI + Σ_a n_ua q_a q_aᵀ)⁻¹ Σ_a sum_ua q_a.
    private void SolveUser(UserCells cells)
    {
        var k = Options.Rank;
        Span<double> matrix = stackalloc double[k * k];
        Span<double> rhs = stackalloc double[k];
        matrix.Clear();
        rhs.Clear();
        for (var i = 0; i < k; i++)
        {
            matrix[(i * k) + i] = Options.FactorRegularisation;
        }

        for (var a = 0; a < cells.N.Length; a++)
        {
            if (cells.N[a] > 0)
            {
                Accumulate(matrix, rhs, _armFactors[a], cells.N[a], DeviationSum(cells, a));
            }
        }

        SolveSymmetric(matrix, rhs, cells.Factor, k);
    }

    // Sweeps of q_a = (λI + Σ_u n_ua p_u p_uᵀ)⁻¹ Σ_u sum_ua p_u, then every p_u; users in ordinal order. Then κ.
    private void Refit()
    {
        var k = Options.Rank;
        var users = _users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => u.Value).ToList();
        var matrix = new double[k * k];
        var rhs = new double[k];
        for (var sweep = 0; sweep < Options.RefitSweeps; sweep++)
        {
            for (var a = 0; a < _arms.Count; a++)
            {
                Array.Clear(matrix);
                Array.Clear(rhs);
                for (var i = 0; i < k; i++)
                {
                    matrix[(i * k) + i] = Options.FactorRegularisation;
                }

                var rated = false;
                foreach (var cells in users)
                {
                    if (a < cells.N.Length && cells.N[a] > 0)
                    {
                        Accumulate(matrix, rhs, cells.Factor, cells.N[a], DeviationSum(cells, a));
                        rated = true;
                    }
                }

                if (rated)
                {
                    SolveSymmetric(matrix, rhs, _armFactors[a], k);
                }
            }

            foreach (var cells in users)
            {
                SolveUser(cells);
            }
        }

        if (Options.Kappa <= 0)
        {
            _kappa = EstimateKappa(users);
        }
    }

    // Method of moments (Efron & Morris 1975; Casella 1985, "An introduction to empirical Bayes data analysis"):
    // residual = μ_ua + noise, μ_ua ~ (0, τ²), noise ~ (0, σ²). σ² pools the within-cell variances; a cell mean m
    // with n ratings has E[m²] = τ² + σ²/n. κ = σ²/τ² makes n/(n+κ) the posterior weight of the cell's own mean.
    private double EstimateKappa(List<UserCells> users)
    {
        double within = 0, degrees = 0;
        var cellsWithTwo = 0;
        foreach (var cells in users)
        {
            for (var a = 0; a < cells.N.Length; a++)
            {
                var n = cells.N[a];
                if (n >= 2)
                {
                    within += cells.SumSq[a] - (cells.Sum[a] * cells.Sum[a] / n);
                    degrees += n - 1;
                    cellsWithTwo++;
                }
            }
        }

        if (cellsWithTwo < Options.MinCellsForEstimate || degrees <= 0)
        {
            return Options.PriorKappa;
        }

        var sigma2 = Math.Max(within / degrees, 1e-9);
        double excess = 0;
        var count = 0;
        foreach (var cells in users)
        {
            for (var a = 0; a < cells.N.Length; a++)
            {
                var n = cells.N[a];
                if (n >= 2)
                {
                    var mean = cells.Sum[a] / n;
                    excess += (mean * mean) - (sigma2 / n);
                    count++;
                }
            }
        }

        var tau2 = excess / count;
        return tau2 <= 0 ? Options.MaxKappa : Math.Clamp(sigma2 / tau2, Options.MinKappa, Options.MaxKappa);
    }

    private static void Accumulate(Span<double> matrix, Span<double> rhs, ReadOnlySpan<double> factor, double weight, double weightedTarget)
    {
        var k = factor.Length;
        for (var i = 0; i < k; i++)
        {
            rhs[i] += weightedTarget * factor[i];
            for (var j = 0; j < k; j++)
            {
                matrix[(i * k) + j] += weight * factor[i] * factor[j];
            }
        }
    }

    // Cholesky of a symmetric positive-definite k × k matrix (λI makes it one), then two triangular solves.
    private static void SolveSymmetric(Span<double> matrix, ReadOnlySpan<double> rhs, Span<double> solution, int k)
    {
        for (var j = 0; j < k; j++)
        {
            var diagonal = matrix[(j * k) + j];
            for (var m = 0; m < j; m++)
            {
                diagonal -= matrix[(j * k) + m] * matrix[(j * k) + m];
            }

            diagonal = Math.Sqrt(Math.Max(diagonal, 1e-12));
            matrix[(j * k) + j] = diagonal;
            for (var i = j + 1; i < k; i++)
            {
                var value = matrix[(i * k) + j];
                for (var m = 0; m < j; m++)
                {
                    value -= matrix[(i * k) + m] * matrix[(j * k) + m];
                }

                matrix[(i * k) + j] = value / diagonal;
            }
        }

        Span<double> y = stackalloc double[k];
        for (var i = 0; i < k; i++)
        {
            var value = rhs[i];
            for (var m = 0; m < i; m++)
            {
                value -= matrix[(i * k) + m] * y[m];
            }

            y[i] = value / matrix[(i * k) + i];
        }

        for (var i = k - 1; i >= 0; i--)
        {
            var value = y[i];
            for (var m = i + 1; m < k; m++)
            {
                value -= matrix[(m * k) + i] * solution[m];
            }

            solution[i] = value / matrix[(i * k) + i];
        }
    }
}
