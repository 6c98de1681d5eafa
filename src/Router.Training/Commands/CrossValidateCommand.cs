using System.CommandLine;
using System.Globalization;
using Router.Core.Decision;
using Router.Core.Prediction;
using Router.Core.Tagging;
using Router.Core.Training;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Commands;

/// <summary>
/// <c>router cv</c>: seeded, task-stratified k-fold cross-validation of MixLLM settings (and the kNN/MLP baselines) on
/// training data, so the defaults are chosen without touching a test split. Prints, per setting, the mean over folds
/// of AIQ and of the quality % of the reference reachable within 24.18% of its cost.
/// </summary>
internal static class CrossValidateCommand
{
    private static T[]? NullIfEmpty<T>(T[]? values) => values is { Length: > 0 } ? values : null;

    public static Command Create()
    {
        var data = Cli.PathsOption("--data", "training data: files or folders", true);
        var folds = new Option<int>("--folds") { Description = "number of folds", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of the fold assignment", DefaultValueFactory = _ => 42 };
        var arms = new Option<string?>("--arms") { Description = "arms file (default deploy/arms/routerbench.json)" };
        var encoder = new Option<string>("--encoder") { Description = "minilm (default), minilm-int8 or hashing", DefaultValueFactory = _ => "minilm" };
        var baselines = new Option<bool>("--baselines") { Description = "also cross-validate knn and mlp" };
        var grid = new Option<string>("--grid") { Description = "small (default) or full", DefaultValueFactory = _ => "small" };
        grid.AcceptOnlyFromAmong("small", "full");
        var weights = new Option<double[]>("--knn-weights") { Description = "kNN blend weights to try (overrides --grid)", AllowMultipleArgumentsPerToken = true };
        var ks = new Option<int[]>("--knn-k") { Description = "kNN sizes to try (overrides --grid)", AllowMultipleArgumentsPerToken = true };
        var temps = new Option<double[]>("--knn-temperatures") { Description = "kNN weight temperatures to try (0 = equal weights)", AllowMultipleArgumentsPerToken = true };
        var alphas = new Option<double[]>("--alphas") { Description = "LinUCB α values to try (overrides --grid)", AllowMultipleArgumentsPerToken = true };
        var rhos = new Option<double[]>("--core-rhos") { Description = "ridge ρ values of the core engine to try (default 1)", AllowMultipleArgumentsPerToken = true };
        var mlp = new Option<bool>("--core-mlp") { Description = "also try the core engine's MLP quality learner (per ρ)" };
        var heads = new Option<int[]>("--core-head-dims") { Description = "tag head output dimensions to try (default 64)", AllowMultipleArgumentsPerToken = true };
        var subs = new Option<int[]>("--core-subclusters") { Description = "k-means sub-clusters per task for the tag head's labels to try (default 0: task labels alone)", AllowMultipleArgumentsPerToken = true };
        var lexical = new Option<bool>("--lexical") { Description = "also try the interim ridge with prompt-length features" };
        var reveal = new Option<double[]>("--reveal") { Description = "task-oracle bounds to report: fractions of queries whose outcomes the bound knows (default 0 = task-oracle alone)", AllowMultipleArgumentsPerToken = true };
        var cascades = new Option<string[]>("--cascade") { Description = "answer-consistency cascades to add as virtual arms (as in evaluate --cascade)", AllowMultipleArgumentsPerToken = true };
        var verifier = new Option<bool>("--verifier-cascade") { Description = "also cross-validate verifier cascades (cascade, cascade+probe) on each core variant; needs recorded responses" };
        var firstFactors = new Option<double[]>("--cascade-first-factors") { Description = "with --verifier-cascade: factors f to try, the first arm being the router's choice at f·λ (default 1)", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("cv", "k-fold cross-validation of MixLLM settings on training data") { data, folds, seed, arms, encoder, baselines, grid, weights, ks, alphas, temps, rhos, mlp, heads, subs, lexical, cascades, reveal, verifier, firstFactors };
        cmd.SetAction((parse, ct) => Cli.GuardAsync(() =>
        {
            var notes = new List<string>();
            var k = parse.GetValue(folds);
            Cli.Check(k >= 2, $"--folds must be >= 2 (got {k})");
            Cli.Check((parse.GetValue(weights) ?? []).All(w => Cli.InRange(w, 0, 1)), "--knn-weights must be in [0, 1]");
            Cli.Check((parse.GetValue(ks) ?? []).All(x => x >= 1), "--knn-k must be >= 1");
            Cli.Check((parse.GetValue(temps) ?? []).All(x => Cli.InRange(x, 0)), "--knn-temperatures must be finite and >= 0");
            Cli.Check((parse.GetValue(alphas) ?? []).All(x => Cli.InRange(x, 0)), "--alphas must be finite and >= 0");
            Cli.Check((parse.GetValue(rhos) ?? []).All(x => Cli.InRange(x, 0) && x > 0), "--core-rhos must be finite and > 0");
            Cli.Check((parse.GetValue(heads) ?? []).All(x => x >= 1), "--core-head-dims must be >= 1");
            Cli.Check((parse.GetValue(subs) ?? []).All(x => x >= 0), "--core-subclusters must be >= 0");
            Cli.Check((parse.GetValue(reveal) ?? []).All(x => Cli.InRange(x, 0, 1)), "--reveal fractions must be in [0, 1]");
            Cli.Check((parse.GetValue(firstFactors) ?? []).All(x => Cli.InRange(x, 0) && x > 0), "--cascade-first-factors must be finite and > 0");
            var all = DatasetLoader.Load(parse.GetValue(data)!, ct);
            Cli.Check(all.Folds(k, parse.GetValue(seed)).Distinct().Count() == k, $"--folds {k}: {all.Queries.Count} queries (stratified by task) leave some folds empty; use fewer folds");
            var armDefs = ExperimentData.ResolveArms(all.Arms, parse.GetValue(arms), notes);
            if (NullIfEmpty(parse.GetValue(cascades)) is { } specs)
            {
                (all, armDefs) = Cascades.CascadeArms.Add(all, armDefs, specs.Select(c => Cascades.CascadeSpec.Parse(c, all.Arms)).ToList());
            }

            using var enc = EncoderFactory.Create(parse.GetValue(encoder)!, EncoderFactory.DefaultCacheFolder);
            var emb = EncoderFactory.EmbedAll(enc, all.Queries.Select(q => q.Prompt).ToList(), "prompts", ct);
            var full = EvalSet.Create(all, emb, enc.Dimension, armDefs);
            var verifierCascades = parse.GetValue(verifier);
            if (verifierCascades)
            {
                var verified = Verification.VerifierTraining.VerifiedArms(full);
                Cli.Check(Verification.VerifierTraining.HasResponses(full, verified), "--verifier-cascade: the data has no recorded responses of the arms below the dearest");
                Verification.VerifierTraining.EmbedAnswers(full, verified, enc, ct);
            }

            var s = parse.GetValue(seed);
            var variants = new List<CrossValidator.CoreVariant>();
            foreach (var sub in NullIfEmpty(parse.GetValue(subs)) ?? [0])
            {
                foreach (var head in NullIfEmpty(parse.GetValue(heads)) ?? [64])
                {
                    foreach (var rho in NullIfEmpty(parse.GetValue(rhos)) ?? [1])
                    {
                        foreach (var learner in parse.GetValue(mlp) ? new[] { QualityLearner.Ridge, QualityLearner.Mlp } : [QualityLearner.Ridge])
                        {
                            var name = string.Create(CultureInfo.InvariantCulture, $"core{(sub == 0 ? "" : $" sub={sub}")}{(head == 64 ? "" : $" head={head}")}{(rho == 1 ? "" : $" rho={rho}")}{(learner == QualityLearner.Mlp ? " mlp" : "")}");
                            variants.Add(new CrossValidator.CoreVariant(name, new MixLlmTrainingOptions
                            {
                                Head = new TagHeadOptions { OutputDimension = head },
                                Engine = new MixLlmEngineOptions { Rho = rho },
                                QualityLearner = learner,
                            }, sub));
                        }
                    }
                }
            }

            var results = CrossValidator.Run(full, k, s, parse.GetValue(grid) == "full", parse.GetValue(baselines), ct,
                NullIfEmpty(parse.GetValue(weights)), NullIfEmpty(parse.GetValue(ks)), NullIfEmpty(parse.GetValue(alphas)), NullIfEmpty(parse.GetValue(temps)), variants, parse.GetValue(lexical), NullIfEmpty(parse.GetValue(reveal)), verifierCascades, NullIfEmpty(parse.GetValue(firstFactors)));
            Console.WriteLine($"{k}-fold CV, seed {s}, {full.N} queries, encoder {enc.ModelId}");
            var assignment = full.Data.Folds(k, s);
            var accuracy = Enumerable.Range(0, k).Select(f => TaskInference
                .Fit(full.Subset(Enumerable.Range(0, full.N).Where(i => assignment[i] != f).ToArray()))
                .Accuracy(full.Subset(Enumerable.Range(0, full.N).Where(i => assignment[i] == f).ToArray()))).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"task inference (nearest training-task centroid; test labels are never read by a predictor): accuracy mean {100 * accuracy.Average():0.00}%, min {100 * accuracy.Min():0.00}% over folds"));
            var routeLlm = results.Any(r => !double.IsNaN(r.Apgr));
            Console.WriteLine("mean ± sd over folds: AIQ | quality % of reference within 24.18% cost | cost % to reach 97.25% quality (folds reaching it)"
                + (routeLlm ? " | RouteLLM APGR | CPT(50%) | CPT(80%) (reference = strong, cheapest arm = weak)" : ""));
            foreach (var r in results.OrderByDescending(r => routeLlm ? r.Apgr : r.QualityWithinBudget))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name,-60} AIQ {r.Aiq:0.0000} ± {r.AiqSd:0.0000}  q@24% {r.QualityWithinBudget:0.00} ± {r.QualitySd:0.00}  c@97% {r.CostToReach:0.00} ({r.FoldsReaching}/{k})")
                    + (routeLlm ? string.Create(CultureInfo.InvariantCulture, $"  APGR {r.Apgr:0.0000} ± {r.ApgrSd:0.0000}  CPT50 {r.Cpt50:0.00}%  CPT80 {r.Cpt80:0.00}%") : ""));
            }

            return Task.FromResult(0);
        }));
        return cmd;
    }
}
