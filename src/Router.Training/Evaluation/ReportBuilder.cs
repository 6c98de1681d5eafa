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
        var policies = results.Select(r => new PolicyReport
        {
            Name = r.Name,
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

    private static double Pct(double value, double reference) => reference > 0 ? 100 * value / reference : 0;
}
