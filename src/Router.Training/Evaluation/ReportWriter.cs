using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace Router.Training.Evaluation;

/// <summary>Writes <c>report.json</c>, <c>report.md</c> and the quality-vs-cost plots of an evaluation.</summary>
internal static class ReportWriter
{
    /// <summary>MixLLM's headline (Wang et al., NAACL 2025): 97.25% of GPT-4's quality at 24.18% of its cost.</summary>
    public const double TargetQualityPct = 97.25;

    /// <summary>The cost side of MixLLM's headline.</summary>
    public const double TargetCostPct = 24.18;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static IReadOnlyList<string> Write(EvaluationReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var json = Path.Combine(folder, "report.json");
        File.WriteAllText(json, JsonSerializer.Serialize(report, JsonOptions));
        files.Add(json);
        var md = Path.Combine(folder, "report.md");
        File.WriteAllText(md, Markdown(report));
        files.Add(md);
        files.Add(Plot(report.Policies, report.ReferenceArm, Path.Combine(folder, "quality_vs_cost.png"), "unconstrained"));
        if (RouteLlmReport.Plot(report.PgrPair, report.Policies, Path.Combine(folder, "pgr.png")) is { } pgr)
        {
            files.Add(pgr);
        }

        if (report.TimeLimited is { } tl)
        {
            files.Add(Plot(tl.Policies, report.ReferenceArm, Path.Combine(folder, "quality_vs_cost_time_limited.png"), $"time limit {tl.TimeLimitSeconds:0.##} s"));
        }

        return files;
    }

    public static string Markdown(EvaluationReport r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"# Routing evaluation");
        sb.AppendLine();
        sb.AppendLine(inv, $"Train queries: {r.TrainQueries}; test queries: {r.TestQueries}; tasks: {string.Join(", ", r.Tasks)}; seed {r.Seed}; encoder `{r.Encoder}`.");
        sb.AppendLine(inv, $"Reference arm `{r.ReferenceArm}`: mean quality {r.ReferenceQuality:0.0000}, total cost ${r.ReferenceCost:0.0000}.");
        foreach (var (k, v) in r.Settings)
        {
            sb.AppendLine(inv, $"- {k}: {v}");
        }

        sb.AppendLine();
        Section(sb, "Unconstrained", r.Policies, r.Tasks);
        RouteLlmReport.Markdown(sb, r.PgrPair, r.Policies, r.CrossDomain);
        if (r.TimeLimited is { } tl)
        {
            sb.AppendLine(inv, $"## Time limit {tl.TimeLimitSeconds:0.##} s (Poisson arrivals, {tl.ArrivalRatePerSecond:0.##}/s)");
            sb.AppendLine();
            sb.AppendLine(inv, $"Reference arm under the limit: quality {tl.ReferenceQuality:0.0000}, cost ${tl.ReferenceCost:0.0000}; percentages below are of the *unconstrained* reference.");
            sb.AppendLine();
            Section(sb, null, tl.Policies, r.Tasks);
        }

        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string? title, IReadOnlyList<PolicyReport> policies, IReadOnlyList<string> tasks)
    {
        var inv = CultureInfo.InvariantCulture;
        if (title is not null)
        {
            sb.AppendLine(inv, $"## {title}");
            sb.AppendLine();
        }

        if (policies.FirstOrDefault(p => p.Name == "mixllm") is { } mix)
        {
            var best = ReportBuilder.BestWithin(mix, TargetCostPct);
            var met = best is not null && best.QualityPctOfReference >= TargetQualityPct;
            var verdict = best is null
                ? "no mixllm point is that cheap — **not met**."
                : string.Create(inv, $"best mixllm point within budget reaches {best.QualityPctOfReference:0.00}% quality at {best.CostPctOfReference:0.00}% cost (λ = {best.Lambda:G4}) — **{(met ? "met" : "not met")}**.");
            sb.AppendLine(inv, $"MixLLM target ({TargetQualityPct}% of the reference's quality at ≤ {TargetCostPct}% of its cost): {verdict}");
            sb.AppendLine();
        }

        sb.AppendLine("| policy | AIQ | max quality % (cost %) | best quality % at ≤ 24.18% cost (cost %) | cost % to reach 97.25% quality |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var p in policies.OrderByDescending(p => p.Aiq))
        {
            var top = p.Points.OrderByDescending(x => x.Quality).ThenBy(x => x.Cost).First();
            var within = ReportBuilder.BestWithin(p, TargetCostPct);
            var reach = ReportBuilder.CheapestReaching(p, TargetQualityPct);
            var withinText = within is null ? "–" : string.Create(inv, $"{within.QualityPctOfReference:0.00} ({within.CostPctOfReference:0.00})");
            var reachText = reach is null ? "–" : reach.CostPctOfReference.ToString("0.00", inv);
            sb.AppendLine(inv, $"| {p.Name} | {p.Aiq:0.0000} | {top.QualityPctOfReference:0.00} ({top.CostPctOfReference:0.00}) | {withinText} | {reachText} |");
        }

        sb.AppendLine();
        sb.AppendLine("AIQ per task (RouterBench's per-`eval_name` AIQ; each task's curve integrated to that task's largest cost):");
        sb.AppendLine();
        sb.AppendLine("| policy | " + string.Join(" | ", tasks) + " | overall |");
        sb.AppendLine("|---|" + string.Concat(tasks.Select(_ => "---:|")) + "---:|");
        foreach (var p in policies.OrderByDescending(p => p.Aiq))
        {
            var perTask = string.Join(" | ", tasks.Select(t => p.AiqPerTask.GetValueOrDefault(t).ToString("0.0000", inv)));
            sb.AppendLine(inv, $"| {p.Name} | {perTask} | {p.Aiq:0.0000} |");
        }

        sb.AppendLine();
    }

    /// <summary>Quality vs cost (both in % of the reference arm): hull lines for swept policies, markers for one-point ones.</summary>
    public static string Plot(IReadOnlyList<PolicyReport> policies, string reference, string path, string subtitle)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var colour = 0;
        // mixllm last, so its curve is drawn on top of ablations that coincide with it.
        foreach (var p in policies.Where(p => p.Points.Count > 1).OrderBy(p => p.Name == "mixllm"))
        {
            var hull = Aiq.Hull(p.Points.Select(x => (x.CostPctOfReference, x.QualityPctOfReference)));
            var line = plt.Add.ScatterLine(hull.Select(h => h.Cost).ToArray(), hull.Select(h => h.Quality).ToArray());
            line.LegendText = p.Name;
            line.Color = palette.GetColor(colour++);
            line.LineWidth = p.Name == "mixllm" ? 3 : 1.5f;
            var dots = plt.Add.ScatterPoints(p.Points.Select(x => x.CostPctOfReference).ToArray(), p.Points.Select(x => x.QualityPctOfReference).ToArray());
            dots.Color = line.Color.WithAlpha(0.35);
            dots.MarkerSize = 3;
        }

        foreach (var p in policies.Where(p => p.Points.Count == 1))
        {
            var m = plt.Add.Marker(p.Points[0].CostPctOfReference, p.Points[0].QualityPctOfReference);
            m.Color = p.Name.StartsWith("arm:", StringComparison.Ordinal) ? Colors.Gray : Colors.Black;
            m.MarkerShape = p.Name switch { "oracle" => MarkerShape.FilledDiamond, "random" => MarkerShape.Cross, "cheapest" => MarkerShape.FilledTriangleDown, _ => MarkerShape.FilledCircle };
            m.MarkerSize = 7;
            var label = plt.Add.Text(p.Name.Replace("arm:", "", StringComparison.Ordinal), p.Points[0].CostPctOfReference, p.Points[0].QualityPctOfReference);
            label.LabelFontSize = 9;
            label.LabelFontColor = Colors.DimGray;
        }

        var target = plt.Add.Marker(TargetCostPct, TargetQualityPct);
        target.MarkerShape = MarkerShape.OpenSquare;
        target.MarkerSize = 10;
        target.Color = Colors.Red;
        target.LegendText = "MixLLM paper target";
        plt.Title($"Quality vs cost, % of {reference} ({subtitle})");
        plt.XLabel($"cost, % of {reference}");
        plt.YLabel($"quality, % of {reference}");
        plt.ShowLegend(Alignment.LowerRight);
        plt.SavePng(path, 1000, 650);
        return path;
    }
}
