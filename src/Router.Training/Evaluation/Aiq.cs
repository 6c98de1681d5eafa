namespace Router.Training.Evaluation;

/// <summary>
/// Average Improvement in Quality (RouterBench, Hu et al. 2024, §3; DESIGN.md "The router CLI"): the area under the
/// non-decreasing convex hull of a policy's (cost, quality) points, extended flat to <c>maxCost</c> (the largest cost
/// among all policies of a report, so AIQs compare), by the trapezoid rule, divided by <c>maxCost</c>. The hull
/// starts at the policy's cheapest point: below that cost the policy has no area.
/// </summary>
public static class Aiq
{
    /// <summary>The non-decreasing upper convex hull of <paramref name="points"/>, sorted by cost.</summary>
    public static IReadOnlyList<(double Cost, double Quality)> Hull(IEnumerable<(double Cost, double Quality)> points)
    {
        var sorted = points.Where(p => double.IsFinite(p.Cost) && double.IsFinite(p.Quality))
            .OrderBy(p => p.Cost).ThenByDescending(p => p.Quality).ToList();
        var hull = new List<(double Cost, double Quality)>();
        foreach (var p in sorted)
        {
            if (hull.Count > 0 && hull[^1].Cost == p.Cost)
            {
                continue; // same cost, lower quality (sorted)
            }

            // Upper hull (Andrew's monotone chain): drop the last point while it lies on or below the chord.
            while (hull.Count >= 2 && Cross(hull[^2], hull[^1], p) >= 0)
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(p);
        }

        // Non-decreasing: past the best quality, a dearer point is never chosen.
        var best = 0;
        for (var i = 1; i < hull.Count; i++)
        {
            if (hull[i].Quality > hull[best].Quality)
            {
                best = i;
            }
        }

        return hull.Take(best + 1).ToList();
    }

    /// <summary>AIQ of <paramref name="points"/> against <paramref name="maxCost"/>; 0 when there is nothing to integrate.</summary>
    public static double Compute(IEnumerable<(double Cost, double Quality)> points, double maxCost)
    {
        var hull = Hull(points);
        if (hull.Count == 0 || maxCost <= 0)
        {
            return 0;
        }

        double area = 0;
        for (var i = 1; i < hull.Count; i++)
        {
            area += (hull[i].Cost - hull[i - 1].Cost) * (hull[i].Quality + hull[i - 1].Quality) / 2;
        }

        var last = hull[^1];
        if (maxCost > last.Cost)
        {
            area += (maxCost - last.Cost) * last.Quality;
        }

        return area / maxCost;
    }

    // > 0 when b is below the line a→c (a left turn seen from the upper hull's side).
    private static double Cross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) =>
        (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);
}
