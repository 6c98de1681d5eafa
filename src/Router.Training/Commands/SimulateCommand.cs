using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Simulation;

namespace Router.Training.Commands;

/// <summary>
/// <c>router simulate</c>: continual learning (offline:online 80:20, 50:50, 30:70 with refined or binary feedback on a
/// stream that reveals only the chosen arm's outcome) and adaptability (two arms added at run time). Writes
/// <c>simulate.json</c> and <c>simulate.md</c>.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var train = Cli.PathsOption("--train", "training data (cut into offline and online parts)", false);
        var test = Cli.PathsOption("--test", "held-out test data", false);
        var data = Cli.PathsOption("--data", "one data set to split into train/test (instead of --train/--test)", false);
        var testFraction = new Option<double>("--test-fraction") { Description = "test share per task when --data is given", DefaultValueFactory = _ => 0.2 };
        var outDir = new Option<string>("--out") { Description = "output folder for simulate.json and simulate.md", Required = true };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42, Description = "seed of the split and the stream order" };
        var arms = new Option<string?>("--arms") { Description = "arms file (default deploy/arms/routerbench.json)" };
        var encoder = new Option<string>("--encoder") { Description = "minilm (default), minilm-int8 or hashing", DefaultValueFactory = _ => "minilm" };
        var reference = new Option<string?>("--reference-arm") { Description = "arm the percentages refer to (default gpt-4-1106-preview, else the best arm)" };
        var splits = new Option<string>("--splits") { Description = "offline:online splits", DefaultValueFactory = _ => "80:20,50:50,30:70" };
        var newArms = new Option<string[]>("--new-arms") { Description = "arms added at run time in the adaptability run (default: the two best of the cheap arms)", AllowMultipleArgumentsPerToken = true };
        var budget = new Option<double>("--budget-pct") { Description = "cost (% of the reference arm) at which qualities are matched", DefaultValueFactory = _ => ReportWriter.TargetCostPct };
        var alpha = new Option<double?>("--alpha") { Description = "LinUCB α while streaming and evaluating (default: mixllm's, 0.05)" };
        var personas = new Option<bool>("--personas") { Description = "persona simulation instead: personalised routing (shared, + residuals, + factors) for users with different reward functions" };
        var usersPerPersona = new Option<int>("--users-per-persona") { Description = "with --personas: simulated users per persona", DefaultValueFactory = _ => 4 };
        var eventsPerUser = new Option<int>("--events-per-user") { Description = "with --personas: feedback events per user", DefaultValueFactory = _ => 300 };
        var newUserRatings = new Option<int>("--new-user-ratings") { Description = "with --personas: ratings of each new user", DefaultValueFactory = _ => 10 };
        var cmd = new Command("simulate", "continual-learning and adaptability simulation on a feedback stream")
        {
            train, test, data, testFraction, outDir, seed, arms, encoder, reference, splits, newArms, budget, alpha,
            personas, usersPerPersona, eventsPerUser, newUserRatings,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(() =>
        {
            var notes = new List<string>();
            var folder = Cli.OutputFolder(parse.GetValue(outDir));
            var s = parse.GetValue(seed);
            var shares = ParseSplits(parse.GetValue(splits)!);
            Cli.Check(Cli.InRange(parse.GetValue(budget), 0) && parse.GetValue(budget) > 0, $"--budget-pct must be a positive percentage (got {parse.GetValue(budget)})");
            Cli.Check(parse.GetValue(alpha) is not { } a0 || Cli.InRange(a0, 0), "--alpha must be a finite number >= 0");
            var trainSet = ExperimentData.LoadTrainTest(parse.GetValue(train) ?? [], parse.GetValue(test) ?? [], parse.GetValue(data) ?? [],
                parse.GetValue(testFraction), s, ct, out var testSet, notes);
            var armDefs = ExperimentData.ResolveArms(trainSet.Arms, parse.GetValue(arms), notes);
            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var exp = ExperimentData.Create(trainSet, testSet, armDefs, enc, notes, ct);
            var referenceArm = EvaluationPipeline.ReferenceArm(exp, parse.GetValue(reference));
            if (parse.GetValue(personas))
            {
                Cli.Check(parse.GetValue(usersPerPersona) >= 1 && parse.GetValue(eventsPerUser) >= 1 && parse.GetValue(newUserRatings) >= 0,
                    "--users-per-persona and --events-per-user must be >= 1, --new-user-ratings >= 0");
                var personaSettings = parse.GetValue(alpha) is { } pa ? new PolicyCatalog.MixLlmSettings { Alpha = pa } : new PolicyCatalog.MixLlmSettings();
                PersonaSimulation.Run(exp, referenceArm, personaSettings, new PersonaSimulationOptions
                {
                    UsersPerPersona = parse.GetValue(usersPerPersona),
                    EventsPerUser = parse.GetValue(eventsPerUser),
                    NewUserRatings = parse.GetValue(newUserRatings),
                    BudgetPct = parse.GetValue(budget),
                    Seed = s,
                }, folder, notes, "router " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), ct);
                return Task.FromResult(0);
            }

            var added = NewArms(exp, parse.GetValue(newArms) ?? [], referenceArm);
            var settings = new PolicyCatalog.MixLlmSettings();
            if (parse.GetValue(alpha) is { } a)
            {
                settings = settings with { Alpha = a };
            }

            notes.Add(FormattableString.Invariant($"mixllm settings: the core engine alone (as the gateway), alpha={settings.Alpha}"));
            var sim = new ContinualLearningSimulator(exp.Train, exp.Test, referenceArm, settings, parse.GetValue(budget), s);
            var outcomes = new List<ContinualLearningSimulator.Outcome>();
            ProgressUi.Run("Simulating streams", shares.Count + 1, advance =>
            {
                foreach (var share in shares)
                {
                    outcomes.AddRange(sim.ContinualLearning([share], ct));
                    advance(1);
                }

                outcomes.AddRange(sim.Adaptability(added, 0.5, ct));
                advance(1);
            });
            var json = JsonSerializer.Serialize(new
            {
                reference_arm = exp.Test.Data.Arms[referenceArm],
                budget_pct = sim.BudgetPct,
                test_queries = exp.Test.N,
                train_queries = exp.Train.N,
                seed = s,
                encoder = exp.EncoderId,
                notes,
                results = outcomes.Select(o => new
                {
                    experiment = o.Experiment,
                    variant = o.Variant,
                    quality_pct_at_budget = o.QualityPctAtBudget,
                    aiq = o.Aiq,
                    stream_queries = o.StreamQueries,
                    stream_mean_quality = o.StreamQuality,
                    stream_lambda = o.StreamLambda,
                }),
            }, ReportWriter.JsonOptions);
            File.WriteAllText(Path.Combine(folder, "simulate.json"), json);
            var md = Markdown(sim, exp, referenceArm, outcomes, notes);
            File.WriteAllText(Path.Combine(folder, "simulate.md"), md);
            Console.WriteLine(md);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static List<double> ParseSplits(string text)
    {
        var result = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ab = part.Split(':');
            if (ab.Length != 2 || !double.TryParse(ab[0], CultureInfo.InvariantCulture, out var a) || !double.TryParse(ab[1], CultureInfo.InvariantCulture, out var b)
                || !Cli.InRange(a, 0) || !Cli.InRange(b, 0) || a == 0 || b == 0)
            {
                throw new ArgumentException($"--splits: '{part}' is not OFFLINE:ONLINE with both parts > 0");
            }

            result.Add(a / (a + b));
        }

        return result.Count > 0 ? result : throw new ArgumentException($"--splits '{text}' names no OFFLINE:ONLINE split");
    }

    // Default new arms: the two best arms (mean training quality) among the cheap ones (mean cost under a fifth of the
    // dearest arm's): the arms a deployment would most want to add, so adding them late should matter.
    private static List<int> NewArms(ExperimentData exp, string[] names, int reference)
    {
        if (names.Length > 0)
        {
            return names.Select(n => exp.Train.Data.ArmIndex(n) is var i and >= 0 ? i : throw new ArgumentException($"--new-arms: '{n}' is not an arm")).ToList();
        }

        var t = exp.Train;
        var maxCost = Enumerable.Range(0, t.K).Max(a => t.ColumnMean(t.Cost, a));
        return Enumerable.Range(0, t.K).Where(a => a != reference && t.ColumnMean(t.Cost, a) < maxCost / 5)
            .OrderByDescending(a => t.ColumnMean(t.Quality, a)).Take(2).ToList();
    }

    private static string Markdown(ContinualLearningSimulator sim, ExperimentData exp, int reference, List<ContinualLearningSimulator.Outcome> outcomes, List<string> notes)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Continual learning and adaptability");
        sb.AppendLine();
        sb.AppendLine(inv, $"Train {exp.Train.N} queries, test {exp.Test.N}; reference `{exp.Test.Data.Arms[reference]}` (quality {sim.ReferenceQuality:0.0000}, cost ${sim.ReferenceCost:0.0000}); qualities are read off each variant's (cost, quality) hull at {sim.BudgetPct}% of the reference's cost; AIQ integrates to the reference's cost.");
        foreach (var n in notes)
        {
            sb.AppendLine("- " + n);
        }

        sb.AppendLine();
        sb.AppendLine("| experiment | variant | quality % at budget | AIQ | stream queries | stream mean quality | stream λ |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var o in outcomes)
        {
            sb.AppendLine(inv, $"| {o.Experiment} | {o.Variant} | {o.QualityPctAtBudget:0.00} | {o.Aiq:0.0000} | {o.StreamQueries} | {o.StreamQuality:0.0000} | {o.StreamLambda:G4} |");
        }

        return sb.ToString();
    }
}
