using System.CommandLine;
using System.Globalization;
using Router.Training.Autopilot;
using Router.Training.Data;

namespace Router.Training.Commands;

/// <summary>
/// <c>router autopilot-check --gateway &lt;url&gt; --admin-key &lt;k&gt; --data &lt;files&gt; --targets 0.5 1.5 --requests 600
/// --out docs/results/autopilot</c>: drives a running gateway with each cost target in turn (<see cref="AutopilotCheck"/>)
/// and writes report.md and realised_cost.png. Exit 0 when every phase's second half is within ±15% of its target and
/// λ differs between the phases, 1 when not, 2 on bad input.
/// </summary>
internal static class AutopilotCheckCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "the gateway's base URL, e.g. http://127.0.0.1:5000", Required = true };
        var adminKey = new Option<string>("--admin-key") { Description = "the gateway's admin key (Router:AdminKey)", Required = true };
        var data = Cli.PathsOption("--data", "prompts: data files or folders (RouterBench: the prompts serve-replay answers)", true);
        var targets = new Option<double[]>("--targets")
        {
            Description = "cost targets in USD per 1,000 routed requests, set in turn",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [0.5, 1.5],
        };
        var requests = new Option<int>("--requests") { Description = "routed requests per target (the second half is measured)", DefaultValueFactory = _ => 600 };
        var seed = new Option<int>("--seed") { Description = "shuffles the prompts", DefaultValueFactory = _ => 42 };
        var note = new Option<string?>("--note") { Description = "a line on the setup (checkpoint, upstreams) for the report" };
        var output = new Option<string>("--out") { Description = "report folder", DefaultValueFactory = _ => Path.Combine("docs", "results", "autopilot") };
        var cmd = new Command("autopilot-check", "drive a running gateway with cost targets in turn and check that the autopilot holds each within ±15%")
        {
            gateway, adminKey, data, targets, requests, seed, note, output,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(async () =>
        {
            var url = parse.GetValue(gateway)!;
            Cli.Check(Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https", "--gateway must be an http(s) URL");
            var key = parse.GetValue(adminKey)!;
            Cli.Check(key.Length > 0, "--admin-key must not be empty");
            var t = parse.GetValue(targets) ?? [];
            Cli.Check(t.Length >= 2 && t.All(x => Cli.InRange(x, 1e-9)), "--targets needs at least two positive numbers");
            var n = parse.GetValue(requests);
            Cli.Check(n is >= 20 and <= 100_000, "--requests must be 20..100000");
            var folder = Cli.OutputFolder(parse.GetValue(output));
            var dataset = DatasetLoader.Load(parse.GetValue(data)!, ct);
            var prompts = AutopilotCheck.Shuffle(dataset.Queries.Select(q => q.Prompt).Distinct(StringComparer.Ordinal).ToList(), parse.GetValue(seed));

            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
            var client = new GatewayAdminClient(http, key);
            var progress = new Progress<string>(Console.WriteLine);
            var result = await AutopilotCheck.RunAsync(client, prompts, t, n, TimeProvider.System, null, progress, ct);
            var header = string.Create(CultureInfo.InvariantCulture,
                $"# Budget autopilot check\n\n{t.Length} targets in turn, {n} routed requests each (prompts shuffled with seed {parse.GetValue(seed)}, no repeats), one at a time; realised cost = the decision log's outcome cost; measured over the second half of each phase.\n");
            if (parse.GetValue(note) is { Length: > 0 } setup)
            {
                header += "\nSetup: " + setup + "\n";
            }

            var report = await AutopilotReport.WriteAsync(result, folder, header, ct);
            Console.Write(AutopilotReport.Table(result));
            Console.WriteLine($"wrote {report}");
            return result.Passed ? 0 : 1;
        }));
        return cmd;
    }
}
