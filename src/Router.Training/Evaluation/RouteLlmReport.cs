using System.Globalization;
using System.Text;
using ScottPlot;

namespace Router.Training.Evaluation;

/// <summary>The RouteLLM part of a report: the APGR/CPT table of <c>report.md</c> and the PGR plot (<c>pgr.png</c>).</summary>
internal static class RouteLlmReport
{
    /// <summary>RouteLLM's best published APGR on MMLU with MMLU-labelled training data (Ong et al. 2024, Table 3: 0.603).</summary>
    public const double PublishedMmluApgr = 0.603;

    /// <summary>RouteLLM's best published APGR on GSM8K (Ong et al. 2024, Table 4: 0.622).</summary>
    public const double PublishedGsm8kApgr = 0.622;

    public static void Markdown(StringBuilder sb, PgrPair? pair, IReadOnlyList<PolicyReport> policies, bool crossDomain)
    {
        var inv = CultureInfo.InvariantCulture;
        if (pair is null)
        {
            return;
        }

        sb.AppendLine("## RouteLLM metrics");
        sb.AppendLine();
        var axis = pair.Axis == ReportBuilder.StrongCallsAxis
            ? "percent of calls to the strong model (a cascade's escalations count)"
            : "cost-equivalent percent of strong calls, 100·(C − C_weak)/(C_strong − C_weak) (more than two arms)";
        sb.AppendLine(inv, $"Strong `{pair.Strong}` (quality {pair.StrongQuality:0.0000}), weak `{pair.Weak}` (quality {pair.WeakQuality:0.0000}); x axis: {axis}. "
            + $"APGR and CPT as routellm/evals/evaluate.py computes them; {(crossDomain ? "**cross-domain**: no test task appears in training." : "in-domain (train and test share tasks, or one split data set).")}");
        sb.AppendLine(inv, $"RouteLLM's best published APGR: MMLU {PublishedMmluApgr} (with MMLU-labelled training data), GSM8K {PublishedGsm8kApgr}.");
        sb.AppendLine();
        sb.AppendLine("| policy | APGR | CPT(50%) | CPT(80%) |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var p in policies.Where(p => p.Apgr is not null).OrderByDescending(p => p.Apgr))
        {
            sb.AppendLine(inv, $"| {p.Name} | {p.Apgr:0.0000} | {p.Cpt50:0.00}% | {p.Cpt80:0.00}% |");
        }

        sb.AppendLine();
    }

    /// <summary>PGR against percent of strong calls: one line per swept policy (RouteLLM's curve, extremes added), markers for one-point policies.</summary>
    public static string? Plot(PgrPair? pair, IReadOnlyList<PolicyReport> policies, string path)
    {
        if (pair is null)
        {
            return null;
        }

        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var colour = 0;
        foreach (var p in policies.Where(p => p.Points.Count > 1 && p.Apgr is not null))
        {
            var curve = RouteLlmMetrics.Curve(p.Points.Select(x => (x.StrongPct ?? double.NaN, x.Quality)), pair.WeakQuality, pair.StrongQuality);
            var line = plt.Add.ScatterLine(curve.Select(c => c.StrongPct).ToArray(), curve.Select(c => RouteLlmMetrics.Pgr(c.Quality, pair.WeakQuality, pair.StrongQuality)).ToArray());
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{p.Name} (APGR {p.Apgr:0.000})");
            line.Color = palette.GetColor(colour++ % 10);
            line.LineWidth = 1.5f;
        }

        foreach (var p in policies.Where(p => p.Points.Count == 1 && p.Points[0].StrongPct is not null))
        {
            var m = plt.Add.Marker(p.Points[0].StrongPct!.Value, p.Points[0].Pgr ?? 0);
            m.Color = Colors.Gray;
            m.MarkerSize = 6;
            var label = plt.Add.Text(p.Name.Replace("arm:", "", StringComparison.Ordinal), p.Points[0].StrongPct!.Value, p.Points[0].Pgr ?? 0);
            label.LabelFontSize = 9;
            label.LabelFontColor = Colors.DimGray;
        }

        plt.Title($"Performance gap recovered: {pair.Weak} → {pair.Strong}");
        plt.XLabel(pair.Axis == ReportBuilder.StrongCallsAxis ? "calls to the strong model, %" : "cost-equivalent strong calls, %");
        plt.YLabel("PGR");
        plt.ShowLegend(Alignment.LowerRight);
        plt.SavePng(path, 1000, 650);
        return path;
    }
}
