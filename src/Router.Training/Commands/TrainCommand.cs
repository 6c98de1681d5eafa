using System.CommandLine;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Commands;

/// <summary>
/// <c>router train</c>: offline training on full-feedback data with the core's <see cref="Router.Core.Training.MixLlmTrainer"/>
/// (tag head trained on the data set's labels — RouterBench <c>eval_name</c>, MMLU subject, file name — then per-arm
/// ridge/LinUCB predictors of quality and length, c_ref) → <c>checkpoint.json</c> in the core's format, which the
/// gateway loads (<see cref="Router.Core.Decision.MixLlmEngine.Load"/>).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = Cli.PathsOption("--data", "training data: files or folders", true);
        var outDir = new Option<string>("--out") { Description = "checkpoint folder", Required = true };
        var arms = new Option<string?>("--arms") { Description = "arms file (default deploy/arms/routerbench.json)" };
        var encoder = new Option<string>("--encoder") { Description = "minilm (default) or hashing", DefaultValueFactory = _ => "minilm" };
        var cmd = new Command("train", "offline training: embeddings, tags, head, per-arm predictors, LinUCB statistics → checkpoint") { data, outDir, arms, encoder };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(() =>
        {
            var notes = new List<string>();
            var dataset = DatasetLoader.Load(parse.GetValue(data)!, ct);
            var armDefs = ExperimentData.ResolveArms(dataset.Arms, parse.GetValue(arms), notes);
            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var emb = EncoderFactory.EmbedAll(enc, dataset.Queries.Select(q => q.Prompt).ToList(), "prompts", ct);
            var set = EvalSet.Create(dataset, emb, enc.Dimension, armDefs);
            var predictor = (CoreEnginePredictor)new PolicyCatalog.MixLlmSettings().Predictor(useKnn: false, encoderId: enc.ModelId);
            predictor.Fit(set, null, ct);
            var folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, "checkpoint.json");
            predictor.Engine.Save(path);
            var tasks = set.Tasks.Distinct(StringComparer.Ordinal).Count();
            Console.WriteLine($"trained on {set.N} queries × {set.K} arms, {tasks} tag clusters, encoder {enc.ModelId}, c_ref {predictor.Engine.CostReference:G4} USD ({string.Join("; ", notes)})");
            Console.WriteLine($"wrote {path}");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
