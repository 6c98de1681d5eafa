using System.CommandLine;
using Router.Core.Decision;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.OffPolicy;

namespace Router.Training.Commands;

/// <summary>
/// <c>router ope --log &lt;jsonl&gt; --checkpoint &lt;dir&gt; [--lambda x | --target-cost x]</c>: a candidate policy's
/// expected reward (feedback score) and cost per request from the gateway's decision log by IPS, SNIPS and doubly
/// robust (the checkpoint's quality predictor and the logged cost estimates as the direct model), with bootstrap 95%
/// intervals and the effective sample size. <c>router ope --validate --data &lt;RouterBench&gt; --epsilon 0.1 --seeds 20</c>:
/// the estimators checked on simulated logs where every arm's outcome is known (<see cref="OpeValidation"/>).
/// </summary>
internal static class OpeCommand
{
    public static Command Create()
    {
        var log = new Option<string?>("--log") { Description = "decision log export (JSONL, GET /admin/decisions/export)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "folder with checkpoint.json (the candidate policy and direct model)" };
        var lambda = new Option<double?>("--lambda") { Description = "λ of the candidate policy" };
        var targetCost = new Option<double?>("--target-cost") { Description = "candidate: the λ whose predicted cost is this many USD per 1,000 requests" };
        var validate = new Option<bool>("--validate") { Description = "validate the estimators on fully-observed data instead" };
        var data = Cli.PathsOption("--data", "validation data (RouterBench files)", false);
        var epsilon = new Option<double>("--epsilon") { Description = "validation: ε of the simulated logging policy", DefaultValueFactory = _ => 0.1 };
        var seeds = new Option<int>("--seeds") { Description = "validation: simulated logs", DefaultValueFactory = _ => 20 };
        var encoder = new Option<string>("--encoder") { Description = "validation: minilm (default), minilm-int8 or hashing", DefaultValueFactory = _ => "minilm" };
        var output = new Option<string?>("--out") { Description = "also write the report (markdown) to this file" };
        var cmd = new Command("ope", "off-policy evaluation from the decision log (IPS, SNIPS, doubly robust), or --validate on fully-observed data")
        {
            log, checkpoint, lambda, targetCost, validate, data, epsilon, seeds, encoder, output,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(async () =>
        {
            string report;
            if (parse.GetValue(validate))
            {
                var eps = parse.GetValue(epsilon);
                var n = parse.GetValue(seeds);
                Cli.Check(Cli.InRange(eps, 1e-6, 1), "--epsilon must be in (0, 1]");
                Cli.Check(n is >= 1 and <= 1000, "--seeds must be 1..1000");
                var files = parse.GetValue(data) ?? [];
                Cli.Check(files.Length > 0, "--validate needs --data");
                var notes = new List<string>();
                var trainData = ExperimentData.LoadTrainTest([], [], files, 0.3, 42, ct, out var testData, notes);
                var arms = ExperimentData.ResolveArms(trainData.Arms, null, notes);
                using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
                var sets = ExperimentData.Create(trainData, testData, arms, enc, notes, ct);
                var rows = OpeValidation.Run(sets.Train, sets.Test, eps, n, enc.ModelId, ct);
                report = OpeValidation.Table(rows, eps, n, sets.Test.N) + "\nnotes: " + string.Join("; ", notes) + "\n";
            }
            else
            {
                var logPath = parse.GetValue(log);
                var folder = parse.GetValue(checkpoint);
                Cli.Check(!string.IsNullOrEmpty(logPath) && File.Exists(logPath), "--log must name an existing JSONL file");
                Cli.Check(!string.IsNullOrEmpty(folder), "--checkpoint is required");
                var l = parse.GetValue(lambda);
                var t = parse.GetValue(targetCost);
                Cli.Check(l is null || t is null, "give --lambda or --target-cost, not both");
                Cli.Check(l is null || Cli.InRange(l.Value, 0), "--lambda must be a finite number ≥ 0");
                Cli.Check(t is null || Cli.InRange(t.Value, 1e-12), "--target-cost must be a positive number");
                var path = File.Exists(folder) ? folder! : Path.Combine(folder!, "checkpoint.json");
                var engine = MixLlmEngine.Load(path);
                var decisions = LoggedDecision.ReadAll(logPath!, out var skipped);
                Cli.Check(decisions.Count > 0, $"no decisions with candidates in {logPath} ({skipped} lines skipped)");
                report = LogReport.Build(engine, decisions, skipped, l, t);
            }

            Console.Write(report);
            if (parse.GetValue(output) is { Length: > 0 } file)
            {
                await File.WriteAllTextAsync(file, report, ct);
            }

            return 0;
        }));
        return cmd;
    }
}
