namespace Router.Training.Evaluation;

/// <summary>
/// RouteLLM's metrics (Ong et al., 2024, "RouteLLM: Learning to Route LLMs with Preference Data", §5.1;
/// routellm/evals/evaluate.py, <c>generate_results</c>), on a curve of (percent of calls to the strong model,
/// quality) points:
/// <list type="bullet">
/// <item><b>PGR</b>, performance gap recovered: <c>(q − q_weak) / (q_strong − q_weak)</c>.</item>
/// <item><b>APGR</b>: <c>(AUC − AUC_weak) / (AUC_strong − AUC_weak)</c>, each AUC <c>np.trapz(quality, strong% / 100)</c>
/// over the curve sorted by strong %, AUC_weak and AUC_strong of the constant weak and strong qualities over the same
/// x points. RouteLLM's thresholds always include the two extremes (all weak at 0%, all strong at 100%), so a curve
/// lacking them gets them added: every router can route everything one way.</item>
/// <item><b>CPT(x%)</b>, calls to reach x% of the gap: <c>np.interp(q_weak + x·(q_strong − q_weak), quality, strong%)</c>.
/// np.interp needs increasing qualities; on a curve that is not monotone this takes the first crossing in order of
/// strong % (the fewest strong calls at which the curve reaches the target), which is np.interp's answer on a
/// monotone curve.</item>
/// </list>
/// Points are used as they are (no convex hull, unlike AIQ), as RouteLLM does.
/// </summary>
public static class RouteLlmMetrics
{
    /// <summary>The performance gap recovered by quality <paramref name="q"/>; 0 when the gap is 0.</summary>
    public static double Pgr(double q, double weak, double strong) => strong != weak ? (q - weak) / (strong - weak) : 0;

    /// <summary>The curve RouteLLM integrates: sorted by strong %, with the all-weak and all-strong extremes added when missing.</summary>
    public static IReadOnlyList<(double StrongPct, double Quality)> Curve(IEnumerable<(double StrongPct, double Quality)> points, double weak, double strong)
    {
        var list = points.Where(p => double.IsFinite(p.StrongPct) && double.IsFinite(p.Quality)).ToList();
        if (!list.Any(p => p.StrongPct <= 0))
        {
            list.Add((0, weak));
        }

        if (!list.Any(p => p.StrongPct >= 100))
        {
            list.Add((100, strong));
        }

        return list.OrderBy(p => p.StrongPct).ThenBy(p => p.Quality).ToList();
    }

    /// <summary>APGR of <paramref name="points"/> (see the type's remarks); 0 when the two models are equally good.</summary>
    public static double Apgr(IEnumerable<(double StrongPct, double Quality)> points, double weak, double strong)
    {
        var c = Curve(points, weak, strong);
        double auc = 0;
        for (var i = 1; i < c.Count; i++)
        {
            auc += (c[i].StrongPct - c[i - 1].StrongPct) / 100 * (c[i].Quality + c[i - 1].Quality) / 2;
        }

        var width = (c[^1].StrongPct - c[0].StrongPct) / 100;
        var (aucWeak, aucStrong) = (weak * width, strong * width);
        return aucStrong != aucWeak ? (auc - aucWeak) / (aucStrong - aucWeak) : 0;
    }

    /// <summary>
    /// CPT: the percent of strong calls at which the curve first reaches <paramref name="fraction"/> of the gap
    /// (linear between points; np.interp's clamping at the ends).
    /// </summary>
    public static double CallsToReach(IEnumerable<(double StrongPct, double Quality)> points, double weak, double strong, double fraction)
    {
        var c = Curve(points, weak, strong);
        var target = weak + fraction * (strong - weak);
        if (target <= c[0].Quality)
        {
            return c[0].StrongPct;
        }

        for (var i = 1; i < c.Count; i++)
        {
            if (c[i].Quality >= target)
            {
                var (x0, y0, x1, y1) = (c[i - 1].StrongPct, c[i - 1].Quality, c[i].StrongPct, c[i].Quality);
                return y1 == y0 ? x1 : x0 + (target - y0) / (y1 - y0) * (x1 - x0);
            }
        }

        return c[^1].StrongPct;
    }
}
