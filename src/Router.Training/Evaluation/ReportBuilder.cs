namespace Router.Training.Evaluation;

/// <summary>Turns raw policy results into report entries: percentages of the reference arm and AIQ (overall and per task).</summary>
internal static class ReportBuilder
{
    public static (IReadOnlyList<PolicyReport> Policies, double RefQuality, double RefCost, double MaxCost) Build(
        EvalSet test, int referenceArm, IReadOnlyList<PolicyResult> results)
    {
        var refName = "arm:" + test.Data.Arms[referenceArm];
        var refPoint = results.First(r => r.Name == refName).Points[0];
        var maxCost = results.SelectMany(r => r.Points).Max(p => p.Cost);
        var tasks = test.Tasks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var maxTaskCost = tasks.ToDictionary(t => t, t => results.SelectMany(r => r.Points).Max(p => p.PerTask.GetValueOrDefault(t).Cost), StringComparer.Ordinal);
        var pair = PgrPairOf(test, referenceArm, results);
        var policies = results.Select(r => new PolicyReport
        {
            Name = r.Name,
            Apgr = pair is null ? null : RouteLlmMetrics.Apgr(r.Points.Select(p => (StrongPct(pair, p), p.Quality)), pair.WeakQuality, pair.StrongQuality),
            Cpt50 = pair is null ? null : RouteLlmMetrics.CallsToReach(r.Points.Select(p => (StrongPct(pair, p), p.Quality)), pair.WeakQuality, pair.StrongQuality, 0.5),
            Cpt80 = pair is null ? null : RouteLlmMetrics.CallsToReach(r.Points.Select(p => (StrongPct(pair, p), p.Quality)), pair.WeakQuality, pair.StrongQuality, 0.8),
            Aiq = Aiq.Compute(r.Points.Select(p => (p.Cost, p.Quality)), maxCost),
            AiqPerTask = tasks.ToDictionary(t => t, t => Aiq.Compute(r.Points.Select(p => (p.PerTask.GetValueOrDefault(t).Cost, p.PerTask.GetValueOrDefault(t).Quality)), maxTaskCost[t]), StringComparer.Ordinal),
            Points = r.Points.Select(p => new PointReport
            {
                Lambda = p.Lambda,
                Quality = p.Quality,
                Cost = p.Cost,
                QualityPctOfReference = Pct(p.Quality, refPoint.Quality),
                CostPctOfReference = Pct(p.Cost, refPoint.Cost),
                TimedOut = p.TimedOut,
                ArmShare = p.ArmShare,
                StrongPct = pair is null ? null : StrongPct(pair, p),
                Pgr = pair is null ? null : RouteLlmMetrics.Pgr(p.Quality, pair.WeakQuality, pair.StrongQuality),
            }).ToList(),
        }).ToList();
        return (policies, refPoint.Quality, refPoint.Cost, maxCost);
    }

    /// <summary>
    /// The policy's best point within a cost budget (percent of the reference's cost): highest quality, then lowest
    /// cost; null when no point is that cheap.
    /// </summary>
    public static PointReport? BestWithin(PolicyReport policy, double costPct) =>
        policy.Points.Where(p => p.CostPctOfReference <= costPct + 1e-9)
            .OrderByDescending(p => p.Quality).ThenBy(p => p.Cost).FirstOrDefault();

    /// <summary>The cheapest point reaching a quality (percent of the reference's); null when none does.</summary>
    public static PointReport? CheapestReaching(PolicyReport policy, double qualityPct) =>
        policy.Points.Where(p => p.QualityPctOfReference >= qualityPct - 1e-9).OrderBy(p => p.Cost).FirstOrDefault();

    /// <summary>Axis of the PGR curve when the data has exactly two arms: RouteLLM's percent of calls to the strong model.</summary>
    public const string StrongCallsAxis = "strong_calls";

    /// <summary>Axis of the PGR curve for K &gt; 2 arms: cost between the cheapest arm's (0%) and the reference's (100%).</summary>
    public const string CostAxis = "cost";

    /// <summary>
    /// The strong/weak pair of RouteLLM's metrics: the reference arm and the cheapest single arm on the test set (by
    /// total cost). With two arms the x axis is RouteLLM's percent of calls to the strong arm (a cascade's escalations
    /// count, its first calls to the weak arm do not, as in RouteLLM's protocol); with more, the cost-equivalent
    /// percent <c>100·(C − C_weak)/(C_strong − C_weak)</c>, which is the share of strong calls when only those two arms
    /// are used. Null when the reference is the cheapest arm.
    /// </summary>
    public static PgrPair? PgrPairOf(EvalSet test, int referenceArm, IReadOnlyList<PolicyResult> results)
    {
        var single = Enumerable.Range(0, test.K)
            .Select(a => (Arm: a, Point: results.FirstOrDefault(r => r.Name == "arm:" + test.Data.Arms[a])?.Points[0]))
            .Where(x => x.Point is not null).ToList();
        var strong = single.First(x => x.Arm == referenceArm).Point!;
        var weak = single.MinBy(x => x.Point!.Cost);
        if (weak.Arm == referenceArm || !(strong.Cost > weak.Point!.Cost))
        {
            return null;
        }

        return new PgrPair
        {
            Strong = test.Data.Arms[referenceArm],
            Weak = test.Data.Arms[weak.Arm],
            StrongQuality = strong.Quality,
            WeakQuality = weak.Point.Quality,
            StrongCost = strong.Cost,
            WeakCost = weak.Point.Cost,
            Axis = test.K == 2 ? StrongCallsAxis : CostAxis,
        };
    }

    private static double StrongPct(PgrPair pair, PointResult p) => pair.Axis == StrongCallsAxis
        ? 100 * p.CallShare.GetValueOrDefault(pair.Strong)
        : 100 * (p.Cost - pair.WeakCost) / (pair.StrongCost - pair.WeakCost);

    private static double Pct(double value, double reference) => reference > 0 ? 100 * value / reference : 0;
}
