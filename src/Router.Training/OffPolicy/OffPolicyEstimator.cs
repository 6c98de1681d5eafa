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
/// generator, for IPS, SNIPS and DM (and DR as <c>dr-bootstrap</c>); DR's own interval is normal with a model-based
/// variance (<see cref="DrModelVariance"/>) when every decision carries the target arm's logging propensity. The
/// bootstrap of DR under-covers when a few logged decisions carry most of the weight: a resample can only reuse the
/// rare matches that happened to be logged, so a log with none looks certain. Effective sample size: Kish's
/// <c>(Σ w)² / Σ w²</c>.
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

    /// <summary>
    /// The model-based variance of one DR pseudo-outcome Γ_i = q̂(x_i, a*_i) + w_i (r_i − q̂(x_i, a_i)) for a
    /// deterministic target (a* its arm), which does not depend on the rare matches having been logged. By the law of
    /// total variance, <c>Var Γ = Var_x E[Γ|x] + E_x Var(Γ|x)</c>. Given x the correction is nonzero only when the
    /// logging policy drew a* (probability μ* = μ(a*|x)); then it is (r − q̂)/μ*, so
    /// <c>Var(Γ|x) = (σ² + δ²)/μ* − δ²</c> with σ² the reward variance and δ = q − q̂ the model's error (Dudík, Langford
    /// &amp; Li 2011, Theorem 2; Farajtabar, Chow &amp; Ghavamzadeh, "More Robust Doubly Robust Off-policy Evaluation",
    /// ICML 2018, eq. 4). With the direct model's σ̂²(x, a*) for σ² and δ ≈ 0 (the model's view), and q̂(x, a*) for
    /// E[Γ|x]: <c>V̂ar Γ = s²(q̂(x_i, a*_i)) + (1/n) Σ_i σ̂²_i / μ*_i</c>, where s² is the sample variance over the log.
    /// This is the variance over fresh traffic (the value the policy would earn on the context distribution). For the
    /// log's fixed contexts and rewards alone (the truth of <c>router ope --validate</c>) the variance of Γ_i is
    /// <c>(1/μ* − 1)(r − q̂)²</c>, so there it is conservative by <c>s² + mean σ̂²</c> (the on-policy noise). NaN when a decision lacks μ* &gt; 0 or σ̂², or with fewer than two decisions.
    /// The variance of the DR mean is this over n; the interval is V̂_DR ± 1.96·√(V̂ar Γ / n).
    /// </summary>
    public static double DrModelVariance(IReadOnlyList<OpeSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var n = samples.Count;
        if (n < 2)
        {
            return double.NaN;
        }

        double mean = 0, correction = 0;
        foreach (var s in samples)
        {
            if (!(s.TargetArmPropensity > 0) || !double.IsFinite(s.TargetRewardVariance) || s.TargetRewardVariance < 0)
            {
                return double.NaN;
            }

            mean += s.ModelTarget / n;
            correction += s.TargetRewardVariance / s.TargetArmPropensity / n;
        }

        var spread = 0.0;
        foreach (var s in samples)
        {
            spread += (s.ModelTarget - mean) * (s.ModelTarget - mean) / (n - 1);
        }

        return spread + correction;
    }

    /// <summary>
    /// The estimates with 95% intervals: IPS, SNIPS, DM and <c>dr-bootstrap</c> by the percentile bootstrap over
    /// <paramref name="resamples"/> resamples; <c>dr</c> normal with <see cref="DrModelVariance"/> when it is defined,
    /// else the bootstrap's.
    /// </summary>
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

        var drBootstrap = Interval("dr-bootstrap", point.Dr, dr);
        var variance = DrModelVariance(samples);

        // 1.959964 = Φ⁻¹(0.975).
        var half = 1.959963984540054 * Math.Sqrt(variance / n);
        var drModel = double.IsFinite(variance)
            ? new OpeEstimate("dr", point.Dr, point.Dr - half, point.Dr + half, OpeEstimate.ModelNormal)
            : drBootstrap with { Estimator = "dr" };
        return
        [
            Interval("ips", point.Ips, ips),
            Interval("snips", point.Snips, snips),
            drModel,
            drBootstrap,
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
