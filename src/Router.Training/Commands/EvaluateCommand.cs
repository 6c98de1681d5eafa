using System.CommandLine;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Spectre.Console;

namespace Router.Training.Commands;

/// <summary><c>router evaluate</c> (DESIGN.md, "The router CLI").</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var train = Cli.PathsOption("--train", "training data: files or folders (RouterBench CSV, score JSON, pairwise CSV, JSONL)", false);
        var test = Cli.PathsOption("--test", "test data: files or folders", false);
        var data = Cli.PathsOption("--data", "one data set to split into train/test (instead of --train/--test)", false);
        var testFraction = new Option<double>("--test-fraction") { Description = "test share per task when --data is given", DefaultValueFactory = _ => 0.2 };
        var outDir = new Option<string>("--out") { Description = "output folder for report.json, report.md and plots", Required = true };
        var reference = new Option<string?>("--reference-arm") { Description = "arm the percentages refer to (default gpt-4-1106-preview, else the best arm)" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "simulate a Poisson stream; a query slower than this many seconds scores 0" };
        var rate = new Option<double>("--arrival-rate") { Description = "queries per second of the simulated stream", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "seed of every random choice (split, random policy, MLP, arrivals)", DefaultValueFactory = _ => 42 };
        var arms = new Option<string?>("--arms") { Description = "arms file with prices and latency (default deploy/arms/routerbench.json)" };
        var encoder = new Option<string>("--encoder") { Description = "minilm (default), minilm-int8 or hashing", DefaultValueFactory = _ => "minilm" };
        encoder.AcceptOnlyFromAmong([.. EncoderFactory.Names]);
        var policies = new Option<string[]>("--policies") { Description = "subset of: " + string.Join(", ", PolicyCatalog.All), AllowMultipleArgumentsPerToken = true };
        var mlpEpochs = new Option<int>("--mlp-epochs") { Description = "epoch cap of the MLP baseline", DefaultValueFactory = _ => 200 };
        var cascades = new Option<string[]>("--cascade")
        {
            Description = "answer-consistency cascades to add as virtual arms, e.g. \"Yi-34B+mixtral>gpt-4\": call the members, keep the first's answer when all agree, else call the arm after '>' (arms matched by unique substring)",
            AllowMultipleArgumentsPerToken = true,
        };
        var reveal = new Option<double[]>("--reveal")
        {
            Description = "add task-oracle+reveal=F bounds: task-level oracle that also knows the outcomes of a fraction F of the test queries",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("evaluate", "compare routing policies on held-out data: λ sweep, AIQ, report.json/md and plots")
        {
            train, test, data, testFraction, outDir, reference, timeLimit, rate, seed, arms, encoder, policies, mlpEpochs, cascades, reveal,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(() =>
        {
            var options = new EvaluateOptions
            {
                Train = parse.GetValue(train) ?? [],
                Test = parse.GetValue(test) ?? [],
                Data = parse.GetValue(data) ?? [],
                TestFraction = parse.GetValue(testFraction),
                Out = Cli.OutputFolder(parse.GetValue(outDir)),
                ReferenceArm = parse.GetValue(reference),
                TimeLimit = parse.GetValue(timeLimit),
                ArrivalRate = parse.GetValue(rate),
                Seed = parse.GetValue(seed),
                ArmsFile = parse.GetValue(arms),
                Policies = parse.GetValue(policies) ?? [],
                MlpEpochs = parse.GetValue(mlpEpochs),
                Cascades = parse.GetValue(cascades) ?? [],
                RevealedFractions = parse.GetValue(reveal) ?? [],
            };
            Cli.Check(options.RevealedFractions.All(f => Cli.InRange(f, 0, 1)), "--reveal fractions must be in [0, 1]");
            Cli.Check(options.TimeLimit is not { } t || (Cli.InRange(t, 0) && t > 0), $"--time-limit must be a positive number of seconds (got {options.TimeLimit})");
            Cli.Check(Cli.InRange(options.ArrivalRate, 0) && options.ArrivalRate > 0, $"--arrival-rate must be a positive number of queries per second (got {options.ArrivalRate})");
            Cli.Check(options.MlpEpochs >= 1, $"--mlp-epochs must be >= 1 (got {options.MlpEpochs})");
            var unknown = options.Policies.Where(p => !PolicyCatalog.All.Contains(p, StringComparer.Ordinal)).ToList();
            Cli.Check(unknown.Count == 0, $"--policies: unknown policy {string.Join(", ", unknown.Select(u => $"'{u}'"))} (known: {string.Join(", ", PolicyCatalog.All)}; single arms are always in)");

            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var report = EvaluationPipeline.Run(options, enc, ct);
            var files = ReportWriter.Write(report, options.Out);
            PrintSummary(report);
            foreach (var f in files)
            {
                Console.WriteLine("wrote " + f);
            }

            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static void PrintSummary(EvaluationReport report)
    {
        var table = new Table().AddColumns("policy", "AIQ", "max quality %", "at cost %", "quality % at ≤24.18% cost");
        foreach (var p in report.Policies.OrderByDescending(p => p.Aiq))
        {
            var top = p.Points.OrderByDescending(x => x.Quality).ThenBy(x => x.Cost).First();
            var within = ReportBuilder.BestWithin(p, ReportWriter.TargetCostPct);
            table.AddRow(Markup.Escape(p.Name), p.Aiq.ToString("0.0000"), top.QualityPctOfReference.ToString("0.00"),
                top.CostPctOfReference.ToString("0.00"), within?.QualityPctOfReference.ToString("0.00") ?? "–");
        }

        AnsiConsole.Write(table);
    }
}
