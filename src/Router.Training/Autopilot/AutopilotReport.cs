using System.Globalization;
using System.Text;
using ScottPlot;

namespace Router.Training.Autopilot;

/// <summary><c>report.md</c> (the table) and <c>realised_cost.png</c> (realised cost vs target over the requests, and λ) of an <see cref="AutopilotCheck"/> run.</summary>
internal static class AutopilotReport
{
    /// <summary>The moving window of the plot, the controller's own (Router:Autopilot:Window, 100 requests).</summary>
    public const int Window = 100;

    public static string Table(AutopilotCheck.Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.AppendLine("| phase | target (USD / 1k requests) | requests | measured (second half) | realised (USD / 1k) | deviation | within ±15% | mean λ (second half) | last λ |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var p in result.Phases)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {p.Number} | {p.Target:0.###} | {p.Requests} | {p.MeasuredRequests} | {p.RealisedPer1k:0.000} | {100 * p.Deviation:+0.0;-0.0}% | {(p.Holds ? "yes" : "**no**")} | {p.MeanLambda:0.###} | {p.FinalLambda:0.###} |");
        }

        sb.AppendLine();
        sb.AppendLine(result.Passed ? "Result: **pass** (every phase within ±15% of its target, λ differs between them)." : "Result: **fail**.");
        return sb.ToString();
    }

    /// <summary>Realised cost per 1k over the trailing <see cref="Window"/> requests with the target as a step line (left axis), λ of each decision (right axis, log).</summary>
    public static string Plot(AutopilotCheck.Result result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var points = result.Points;
        var x = points.Select(p => (double)p.Index).ToArray();
        var rolling = new double[points.Count];
        var sum = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            sum += points[i].CostUsd;
            if (i >= Window)
            {
                sum -= points[i - Window].CostUsd;
            }

            rolling[i] = 1000 * sum / Math.Min(i + 1, Window);
        }

        var plt = new Plot();
        var realised = plt.Add.ScatterLine(x, rolling);
        realised.LegendText = $"realised cost, USD per 1k (last {Window} requests)";
        realised.LineWidth = 2;
        realised.Color = Colors.SteelBlue;
        var target = plt.Add.ScatterLine(x, points.Select(p => p.Target).ToArray());
        target.LegendText = "target";
        target.LineWidth = 2;
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Red;
        var band = plt.Add.ScatterLine(x, points.Select(p => p.Target * (1 + AutopilotCheck.Tolerance)).ToArray());
        band.LegendText = "target ±15%";
        band.Color = Colors.Red.WithAlpha(0.3);
        var bandLow = plt.Add.ScatterLine(x, points.Select(p => p.Target * (1 - AutopilotCheck.Tolerance)).ToArray());
        bandLow.Color = band.Color;

        var lambda = plt.Add.ScatterLine(x, points.Select(p => Math.Log10(p.Lambda)).ToArray());
        lambda.LegendText = "log10 λ of the decision (right axis)";
        lambda.Color = Colors.DarkOrange.WithAlpha(0.7);
        lambda.Axes.YAxis = plt.Axes.Right;
        plt.Axes.Right.Label.Text = "log10 λ";
        plt.Title("Budget autopilot: realised cost vs target");
        plt.XLabel("routed request");
        plt.YLabel("USD per 1,000 requests");
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1000, 600);
        return path;
    }

    /// <summary>Writes report.md (with <paramref name="header"/> on top) and the plot into <paramref name="folder"/>.</summary>
    public static async Task<string> WriteAsync(AutopilotCheck.Result result, string folder, string header, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        Plot(result, Path.Combine(folder, "realised_cost.png"));
        var text = header + "\n" + Table(result) + "\n![realised cost vs target](realised_cost.png)\n";
        var path = Path.Combine(folder, "report.md");
        await File.WriteAllTextAsync(path, text, cancellationToken);
        return path;
    }
}
