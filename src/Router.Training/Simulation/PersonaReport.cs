using System.Globalization;
using System.Text;
using ScottPlot;

namespace Router.Training.Simulation;

/// <summary>The persona simulation's report: <c>personas.md</c>, <c>personas.json</c> and <c>personas.png</c> (reward over feedback events).</summary>
internal static class PersonaReport
{
    /// <summary>Variant names, in the order the report lists them.</summary>
    public const string Shared = "shared only";

    public const string Residuals = "shared + residuals";

    public const string Factors = "shared + residuals + factors";

    public static string Markdown(IReadOnlyList<PersonaVariantResult> results, PersonaSimulationOptions options, double lambda, string referenceArm,
        IReadOnlyList<string> notes, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var shared = results.Single(r => r.Variant == Shared);
        var sb = new StringBuilder();
        sb.AppendLine("# Personalised routing: persona simulation");
        sb.AppendLine();
        sb.AppendLine(inv, $"{options.UsersPerPersona} simulated users per persona, {options.EventsPerUser} feedback events each, round robin in a seeded order; the shared engine starts from {options.OfflineShare:P0} of the training rows and learns from every user's feedback (score clamped to [0, 1]); λ = {lambda:G4} (mean predicted cost {options.BudgetPct}% of `{referenceArm}` on the query pool). Rewards are measured on the held-out test set (every user routes every test query with their personal terms). Cost is the mean actual cost per query as a share of `{referenceArm}`'s.");
        sb.AppendLine();
        sb.AppendLine("Regenerate:");
        sb.AppendLine();
        sb.AppendLine("```bash");
        sb.AppendLine(command);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("| persona | reward |");
        sb.AppendLine("|---|---|");
        foreach (var p in Persona.All)
        {
            sb.AppendLine(inv, $"| {p.Name} | {p.Description} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"## After {options.EventsPerUser} feedback events per user");
        sb.AppendLine();
        Table(sb, results.Select(r => (r.Variant, r.Curve[^1].Scores)).ToList(), shared.Curve[^1].Scores);
        sb.AppendLine(inv, $"## New users with {options.NewUserRatings} ratings each ({options.UsersPerPersona} per persona, after the others' {options.EventsPerUser})");
        sb.AppendLine();
        Table(sb, results.Select(r => (r.Variant, r.NewUsers)).ToList(), shared.NewUsers);
        sb.AppendLine("## Reward over feedback events (test set)");
        sb.AppendLine();
        sb.AppendLine("![reward over feedback events](personas.png)");
        sb.AppendLine();
        sb.AppendLine("| events per user | " + string.Join(" | ", results.Where(r => r.Variant != Shared).SelectMany(r => Persona.All.Select(p => $"{p.Name} Δ% ({Short(r.Variant)})"))) + " |");
        sb.AppendLine("|---:|" + string.Concat(Enumerable.Repeat("---:|", (results.Count - 1) * Persona.All.Count)));
        for (var c = 0; c < shared.Curve.Count; c++)
        {
            var cells = results.Where(r => r.Variant != Shared)
                .SelectMany(r => Persona.All.Select(p => Gain(r.Curve[c].Scores[p.Name].Reward, shared.Curve[c].Scores[p.Name].Reward).ToString("+0.0;-0.0", inv)));
            sb.AppendLine(inv, $"| {shared.Curve[c].Events} | {string.Join(" | ", cells)} |");
        }

        sb.AppendLine();
        sb.AppendLine("Notes:");
        sb.AppendLine();
        foreach (var r in results.Where(r => r.Kappa is not null))
        {
            sb.AppendLine(inv, $"- {r.Variant}: κ at the end = {r.Kappa:0.###} (empirical Bayes)");
        }

        foreach (var n in notes)
        {
            sb.AppendLine("- " + n);
        }

        return sb.ToString();
    }

    public static double Gain(double value, double baseline) => baseline == 0 ? 0 : 100 * (value - baseline) / Math.Abs(baseline);

    public static void Plot(IReadOnlyList<PersonaVariantResult> results, string path)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var p = 0; p < Persona.All.Count; p++)
        {
            var persona = Persona.All[p];
            foreach (var r in results)
            {
                var line = plt.Add.ScatterLine(r.Curve.Select(c => (double)c.Events).ToArray(), r.Curve.Select(c => c.Scores[persona.Name].Reward).ToArray());
                line.Color = palette.GetColor(p);
                line.LineWidth = r.Variant == Factors ? 2.5f : 1.5f;
                line.LinePattern = r.Variant switch { Shared => LinePattern.Dotted, Residuals => LinePattern.Dashed, _ => LinePattern.Solid };
                line.MarkerSize = 3;
                line.LegendText = $"{persona.Name}: {Short(r.Variant)}";
            }
        }

        plt.Title("Mean test-set reward per persona over feedback events (dotted: shared only, dashed: + residuals, solid: + factors)");
        plt.XLabel("feedback events per user");
        plt.YLabel("mean persona reward");
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1100, 700);
    }

    private static void Table(StringBuilder sb, List<(string Variant, Dictionary<string, PersonaScore> Scores)> rows, Dictionary<string, PersonaScore> shared)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine("| variant | " + string.Join(" | ", Persona.All.Select(p => $"{p.Name}: reward (Δ% vs shared), cost %")) + " |");
        sb.AppendLine("|---|" + string.Concat(Persona.All.Select(_ => "---:|")));
        foreach (var (variant, scores) in rows)
        {
            var cells = Persona.All.Select(p =>
            {
                var s = scores[p.Name];
                return string.Create(inv, $"{s.Reward:0.0000} ({Gain(s.Reward, shared[p.Name].Reward):+0.00;-0.00}%), {100 * s.CostShare:0.0}");
            });
            sb.AppendLine(inv, $"| {variant} | {string.Join(" | ", cells)} |");
        }

        sb.AppendLine();
    }

    private static string Short(string variant) => variant switch { Shared => "shared", Residuals => "residuals", _ => "factors" };
}
