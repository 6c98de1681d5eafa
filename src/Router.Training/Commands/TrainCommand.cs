using System.CommandLine;
using Router.Core.Tagging;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Prediction;
using Router.Training.Tagging;

namespace Router.Training.Commands;

/// <summary>
/// <c>router train</c>: offline training on full-feedback data with the core's <see cref="Router.Core.Training.MixLlmTrainer"/>
/// (tag head trained on cluster labels from <c>--tags</c>: the data set's labels — RouterBench <c>eval_name</c>, MMLU
/// subject, file name —, the queries' own tags, an InsTag-style tagging model, or k-means; then per-arm
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
        var encoder = new Option<string>("--encoder") { Description = "minilm (default), minilm-int8 or hashing", DefaultValueFactory = _ => "minilm" };
        var tags = new Option<string>("--tags")
        {
            Description = "tag source for the head: auto (query tags, else labels, else k-means), labels, tags, kmeans, instag",
            DefaultValueFactory = _ => "auto",
        };
        var clusters = new Option<int>("--clusters") { Description = "tag clusters for kmeans, tags and instag", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "seed of the k-means clustering", DefaultValueFactory = _ => 42 };
        var taggerUrl = new Option<string?>("--tagger-url") { Description = "instag: OpenAI-compatible API root, e.g. https://api.openai.com/v1" };
        var taggerModel = new Option<string?>("--tagger-model") { Description = "instag: the chat model that tags queries" };
        var taggerKeyEnv = new Option<string?>("--tagger-key-env") { Description = "instag: environment variable holding the API key" };
        var verifier = new Option<bool>("--verifier") { Description = "also train the answer verifier on the recorded responses and save it in the checkpoint (format v2)" };
        var cmd = new Command("train", "offline training: embeddings, tags, head, per-arm predictors, LinUCB statistics → checkpoint")
        {
            data, outDir, arms, encoder, tags, clusters, seed, taggerUrl, taggerModel, taggerKeyEnv, verifier,
        };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(async () =>
        {
            var notes = new List<string>();
            var folder = Cli.OutputFolder(parse.GetValue(outDir));
            Cli.Check(TagSource.Names.Contains(parse.GetValue(tags)!), $"--tags must be one of {string.Join(", ", TagSource.Names)} (got '{parse.GetValue(tags)}')");
            Cli.Check(parse.GetValue(clusters) >= 1, $"--clusters must be >= 1 (got {parse.GetValue(clusters)})");
            var dataset = DatasetLoader.Load(parse.GetValue(data)!, ct);
            var armDefs = ExperimentData.ResolveArms(dataset.Arms, parse.GetValue(arms), notes);
            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var emb = EncoderFactory.EmbedAll(enc, dataset.Queries.Select(q => q.Prompt).ToList(), "prompts", ct);
            var source = TagSource.Resolve(parse.GetValue(tags)!, dataset);
            Uri? taggerRoot = null;
            if (parse.GetValue(taggerUrl) is { Length: > 0 } url && !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out taggerRoot))
            {
                throw new DatasetFormatException($"--tagger-url '{url}' is not an absolute URL");
            }

            using var taggerHttp = taggerRoot is not null && parse.GetValue(taggerModel) is { Length: > 0 }
                ? new HttpClient { BaseAddress = taggerRoot, Timeout = TimeSpan.FromSeconds(60) }
                : null;
            var tagger = taggerHttp is null
                ? null
                : new InsTagClient(taggerHttp, parse.GetValue(taggerModel)!, parse.GetValue(taggerKeyEnv) is { } env ? Environment.GetEnvironmentVariable(env) : null);
            dataset = await TagSource.ApplyAsync(source, dataset, emb, enc, parse.GetValue(clusters), parse.GetValue(seed), tagger, ct);
            notes.Add("tags: " + source);
            var set = EvalSet.Create(dataset, emb, enc.Dimension, armDefs);
            var predictor = (CoreEnginePredictor)new PolicyCatalog.MixLlmSettings().Predictor(useKnn: false, encoderId: enc.ModelId);
            predictor.Fit(set, null, ct);
            if (parse.GetValue(verifier))
            {
                var verified = Verification.VerifierTraining.VerifiedArms(set);
                Cli.Check(Verification.VerifierTraining.HasResponses(set, verified), "--verifier: the data has no recorded responses of the arms below the dearest");
                Verification.VerifierTraining.EmbedAnswers(set, verified, enc, ct);
                predictor.Engine.AttachVerifier(Verification.VerifierTraining.Fit(set, verified, new Router.Core.Verification.AnswerVerifierOptions { Seed = parse.GetValue(seed) }, ct));
                notes.Add("verifier: " + verified.Length + " arms");
            }

            var path = Path.Combine(folder, "checkpoint.json");
            predictor.Engine.Save(path);
            var tasks = set.Tasks.Distinct(StringComparer.Ordinal).Count();
            Console.WriteLine($"trained on {set.N} queries × {set.K} arms, {tasks} tag clusters, encoder {enc.ModelId}, c_ref {predictor.Engine.CostReference:G4} USD ({string.Join("; ", notes)})");
            Console.WriteLine($"wrote {path}");
            return 0;
        }));
        return cmd;
    }
}
