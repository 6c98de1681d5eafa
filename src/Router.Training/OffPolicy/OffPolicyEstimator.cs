namespace Router.Training.OffPolicy;

/// <summary>
/// Off-policy estimators of a target policy's expected reward from a log of (context, arm, propensity, reward):
/// <list type="bullet">
/// <item>IPS (Horvitz &amp; Thompson 1952): <c>V̂ = (1/n) Σ w_i r_i</c>, <c>w_i = π(a_i|x_i)/μ(a_i|x_i)</c>; unbiased when μ &gt; 0
/// wherever π &gt; 0 (support), high variance when weights are large.</item>
/// <item>SNIPS (Swaminathan &amp; Joachims, "The Self-Normalized Estimator for Counterfactual Learning", NeurIPS 2015):
/// <c>Σ w_i r_i / Σ w_i</c>; slightly biased, far lower variance.</item>
/// <item>Doubly robust (Dudík, Langford &amp; Li, "Doubly Robust Policy Evaluation and Learning", ICML 2011):
/// <c>(1/n) Σ [ Σ_a π(a|x_i) q̂(x_i,a) + w_i (r_i − q̂(x_i,a_i)) ]</c>; unbiased if either the propensities or the
/// direct model q̂ are right.</item>
/// <item>DM: the direct model alone, <c>(1/n) Σ_a π(a|x_i) q̂(x_i,a)</c> (for reference: biased by the model's error).</item>
/// </list>
/// Intervals: the nonparametric percentile bootstrap (Efron &amp; Tibshirani 1993), resampling decisions with a seeded
/// generator. Effective sample size: Kish's <c>(Σ w)² / Σ w²</c>.
/// </summary>
public static class OffPolicyEstimator
{
    /// <summary>The point values of IPS, SNIPS, DR and DM.</summary>
    public static (double Ips, double Snips, double Dr, double Dm) Point(IReadOnlyList<OpeSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double wr = 0, w = 0, dr = 0, dm = 0;
        foreach (var s in samples)
        {
            var weight = s.Weight;
            wr += weight * s.Reward;
            w += weight;
            dr += s.ModelTarget + (weight * (s.Reward - s.ModelLogged));
            dm += s.ModelTarget;
        }

        var n = Math.Max(1, samples.Count);
        return (wr / n, w > 0 ? wr / w : double.NaN, dr / n, dm / n);
    }

    /// <summary>Kish's effective sample size of the importance weights (n when every weight is equal; 0 with none positive).</summary>
    public static double EffectiveSampleSize(IReadOnlyList<OpeSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double sum = 0, squares = 0;
        foreach (var s in samples)
        {
            sum += s.Weight;
            squares += s.Weight * s.Weight;
        }

        return squares > 0 ? sum * sum / squares : 0;
    }

    /// <summary>The four estimates with percentile-bootstrap 95% intervals over <paramref name="resamples"/> resamples.</summary>
    public static IReadOnlyList<OpeEstimate> Estimate(IReadOnlyList<OpeSample> samples, int resamples = 500, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        var point = Point(samples);
        var n = samples.Count;
        var ips = new double[resamples];
        var snips = new double[resamples];
        var dr = new double[resamples];
        var dm = new double[resamples];
        var random = new Random(seed);
        var draw = new OpeSample[n];
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < n; i++)
            {
                draw[i] = samples[random.Next(n)];
            }

            (ips[b], snips[b], dr[b], dm[b]) = Point(draw);
        }

        return
        [
            Interval("ips", point.Ips, ips),
            Interval("snips", point.Snips, snips),
            Interval("dr", point.Dr, dr),
            Interval("dm", point.Dm, dm),
        ];
    }

    private static OpeEstimate Interval(string name, double value, double[] draws)
    {
        var finite = draws.Where(double.IsFinite).Order().ToArray();
        if (finite.Length == 0)
        {
            return new OpeEstimate(name, value, double.NaN, double.NaN);
        }

        return new OpeEstimate(name, value, Percentile(finite, 0.025), Percentile(finite, 0.975));
    }

    // Linear interpolation between order statistics (type 7 of Hyndman & Fan 1996, numpy's default).
    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
