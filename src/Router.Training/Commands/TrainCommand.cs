using System.CommandLine;
using System.Text.Json;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;

namespace Router.Training.Commands;

/// <summary>
/// <c>router train</c>: offline training on full-feedback data → a checkpoint folder. Tags come from the data set's
/// labels (RouterBench <c>eval_name</c>, MMLU subject, file name).
/// </summary>
internal static class TrainCommand
{
    /// <summary>Format tag of the interim checkpoint (until the core's checkpoint format lands).</summary>
    public const string Format = "router-linucb-interim/1";

    public static Command Create()
    {
        var data = Cli.PathsOption("--data", "training data: files or folders", true);
        var outDir = new Option<string>("--out") { Description = "checkpoint folder", Required = true };
        var arms = new Option<string?>("--arms") { Description = "arms file (default deploy/arms/routerbench.json)" };
        var encoder = new Option<string>("--encoder") { Description = "minilm (default) or hashing", DefaultValueFactory = _ => "minilm" };
        var cmd = new Command("train", "offline training: embeddings, tags, per-arm predictors, LinUCB statistics → checkpoint") { data, outDir, arms, encoder };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(() =>
        {
            var notes = new List<string>();
            var dataset = DatasetLoader.Load(parse.GetValue(data)!, ct);
            var armDefs = ExperimentData.ResolveArms(dataset.Arms, parse.GetValue(arms), notes);
            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var emb = EncoderFactory.EmbedAll(enc, dataset.Queries.Select(q => q.Prompt).ToList(), "prompts", ct);
            var set = EvalSet.Create(dataset, emb, enc.Dimension, armDefs);
            var settings = new PolicyCatalog.MixLlmSettings();
            var predictor = settings.Predictor();
            predictor.Fit(set, null, ct);
            var folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var checkpoint = new
            {
                format = Format,
                created_utc = DateTimeOffset.UtcNow,
                encoder = enc.ModelId,
                dimension = enc.Dimension,
                queries = set.N,
                arms = armDefs,
                cost_reference_usd = ScoredPolicy.CostReferenceOf(set),
                settings,
                linucb = predictor.ExportState(dataset.Arms),
            };
            var path = Path.Combine(folder, "checkpoint.json");
            File.WriteAllText(path, JsonSerializer.Serialize(checkpoint, Arms.ArmsFile.JsonOptions));
            Console.WriteLine($"trained on {set.N} queries × {set.K} arms ({string.Join("; ", notes)}); wrote {path}");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
