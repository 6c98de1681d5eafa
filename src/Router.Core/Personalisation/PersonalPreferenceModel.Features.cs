namespace Router.Core.Personalisation;

// The preference-weight part of PersonalPreferenceModel: per user, a ridge regression of the residual on
// x = [1; φ_a(e)] (PersonalFeatures: predicted quality and length of the served arm for the rated query), prior θ = 0
// with strength FeatureRegularisation. It generalises across arms and queries: a user whose residuals grow with p̂
// values quality more than the shared model (the harsh coder), one whose residuals fall with length wants short
// answers (the terse persona). The per-arm cells then hold what θ does not explain (a vendor preference): their sums
// are kept raw with Σφ per cell, so the deviation sum Σ(r − θᵀx) = Σr − θ₀·n − θ_φ·Σφ is exact for the current θ.
public sealed partial class PersonalPreferenceModel
{
    private void ObserveFeatures(UserCells cells, int arm, double residual, ReadOnlySpan<double> features)
    {
        const int p = PersonalFeatures.Count + 1;
        Span<double> x = stackalloc double[p];
        x[0] = 1;
        features.CopyTo(x[1..]);
        for (var i = 0; i < p; i++)
        {
            cells.GramRhs[i] += residual * x[i];
            for (var j = 0; j < p; j++)
            {
                cells.Gram[(i * p) + j] += x[i] * x[j];
            }
        }

        for (var f = 0; f < PersonalFeatures.Count; f++)
        {
            cells.SumFeatures[(arm * PersonalFeatures.Count) + f] += features[f];
        }

        Span<double> matrix = stackalloc double[p * p];
        cells.Gram.CopyTo(matrix);
        for (var i = 0; i < p; i++)
        {
            matrix[(i * p) + i] += Options.FeatureRegularisation;
        }

        SolveSymmetric(matrix, cells.GramRhs, cells.Theta, p);
    }

    // Σ over the cell's ratings of r − θᵀ[1; φ].
    private double DeviationSum(UserCells cells, int arm)
    {
        var sum = cells.Sum[arm];
        if (!Options.UseFeatures)
        {
            return sum;
        }

        sum -= cells.Theta[0] * cells.N[arm];
        for (var f = 0; f < PersonalFeatures.Count; f++)
        {
            sum -= cells.Theta[f + 1] * cells.SumFeatures[(arm * PersonalFeatures.Count) + f];
        }

        return sum;
    }

    // θ_φ·φ: the intercept θ₀ is the same for every arm, so it is left out (it cannot change a ranking).
    private static double FeatureTerm(UserCells cells, ReadOnlySpan<double> features)
    {
        var total = 0.0;
        for (var f = 0; f < PersonalFeatures.Count; f++)
        {
            total += cells.Theta[f + 1] * features[f];
        }

        return total;
    }
}
