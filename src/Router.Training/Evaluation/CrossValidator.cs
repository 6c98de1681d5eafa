using Router.Core.Training;
using Router.Training.Prediction;

namespace Router.Training.Evaluation;

/// <summary>
/// Task-stratified, seeded k-fold cross-validation (see <c>router cv</c>). Per fold, every base predictor is fitted
/// once (interim ridge on [embedding; inferred-task one-hot], the core engine variants with their tag head, kNN within the
/// inferred task for several k; no test label or outcome reaches a predictor);
/// settings that only mix their outputs (kNN weight, α) are combined without refitting. The <c>task-oracle</c> bounds
/// (<see cref="TaskOracleBound"/>) are reported beside them.
/// </summary>
internal static class CrossValidator
{
    internal sealed record CvResult(string Name, double Aiq, double QualityWithinBudget, double CostToReach, int FoldsReaching)
    {
        /// <summary>Sample standard deviation of the per-fold AIQ.</summary>
        public double AiqSd { get; init; }

        /// <summary>Sample standard deviation of the per-fold quality % within budget.</summary>
        public double QualitySd { get; init; }

        /// <summary>Mean and sample sd over folds of RouteLLM's APGR (NaN when the data has no strong/weak pair).</summary>
        public double Apgr { get; init; } = double.NaN;

        public double ApgrSd { get; init; }

        /// <summary>Mean over folds of RouteLLM's CPT(50%) and CPT(80%), percent of strong calls.</summary>
        public double Cpt50 { get; init; } = double.NaN;

        public double Cpt80 { get; init; } = double.NaN;
    }

    /// <summary>A variant of the core engine's training options to cross-validate (each is a base predictor, so the kNN blends apply to it too).</summary>
    internal sealed record CoreVariant(string Name, MixLlmTrainingOptions Options, int SubClusters = 0);

    public static IReadOnlyList<CvResult> Run(EvalSet full, int folds, int seed, bool fullGrid, bool baselines, CancellationToken cancellationToken,
        double[]? knnWeights = null, int[]? knnKs = null, double[]? alphaGrid = null, double[]? knnTemperatures = null,
        IReadOnlyList<CoreVariant>? coreVariants = null, bool lexical = false, IReadOnlyList<double>? revealedFractions = null, bool verifierCascades = false,
        IReadOnlyList<double>? cascadeFirstFactors = null)
    {
        var assignment = full.Data.Folds(folds, seed);
        var reference = full.Data.ArmIndex("gpt-4-1106-preview") is var g and >= 0 ? g : 0;
        var perPolicy = new Dictionary<string, List<(double Aiq, double Q, double? C, double Apgr, double Cpt50, double Cpt80)>>(StringComparer.Ordinal);
        var weights = knnWeights ?? (fullGrid ? [0, 0.25, 0.5, 0.75, 1] : [0, 0.5, 1]);
        var ks = knnKs ?? (fullGrid ? [10, 20, 50, 100] : [20, 50]);
        var alphas = alphaGrid ?? (fullGrid ? [0, 0.05, 0.2] : [0, 0.05]);
        var temperatures = knnTemperatures ?? [0.0];
        for (var f = 0; f < folds; f++)
        {
            Console.Error.WriteLine($"fold {f + 1}/{folds}");
            var train = full.Subset(Enumerable.Range(0, full.N).Where(i => assignment[i] != f).ToArray());
            var testAll = full.Subset(Enumerable.Range(0, full.N).Where(i => assignment[i] == f).ToArray());
            var test = testAll.Subset(testAll.CompleteRows());
            var bases = new Dictionary<string, (double[] Q, double[] Len, double[] Bonus)>(StringComparer.Ordinal);
            var ridge = new LinUcbRidgePredictor { Rho = 1 };
            ridge.Fit(train, null, cancellationToken);
            bases["ridge"] = PrecomputedPredictor.Capture(ridge, test);
            if (lexical)
            {
                var lex = new LinUcbRidgePredictor { Rho = 1, Lexical = true };
                lex.Fit(train, null, cancellationToken);
                bases["ridge lex"] = PrecomputedPredictor.Capture(lex, test);
            }

            foreach (var variant in coreVariants ?? [new CoreVariant("core", new MixLlmTrainingOptions())])
            {
                var core = new CoreEnginePredictor(variant.Options) { SubClusters = variant.SubClusters };
                core.Fit(train, null, cancellationToken);
                bases[variant.Name] = PrecomputedPredictor.Capture(core, test);
            }
            var knn = new Dictionary<(int K, double T), double[]>();
            foreach (var k in ks)
            {
                foreach (var t in temperatures)
                {
                    var p = new LinUcbRidgePredictor { KnnWeight = 1, KnnK = k, KnnTemperature = t };
                    p.Fit(train, null, cancellationToken);
                    knn[(k, t)] = PrecomputedPredictor.Capture(p, test).Q;
                }
            }

            var policies = new List<EvalPolicy>();
            foreach (var (baseName, b) in bases)
            {
                foreach (var w in weights)
                {
                    foreach (var (k, t) in w == 0 ? knn.Keys.Take(1) : knn.Keys)
                    {
                        var q = b.Q.Select((v, j) => (1 - w) * v + w * knn[(k, t)][j]).ToArray();
                        foreach (var alpha in alphas)
                        {
                            var name = FormattableString.Invariant($"{baseName} knn_w={w} k={(w == 0 ? 0 : k)} tau={(w == 0 ? 0 : t)} alpha={alpha}");
                            var pre = new PrecomputedPredictor(q, b.Len, b.Bonus, test.K);
                            policies.Add(new ScoredPolicy(name, () => pre, alpha, latencyAware: false));
                        }
                    }
                }
            }

            // Verifier cascades on each core variant (answers embedded on `full` beforehand; the verifier is fitted on the fold's training rows).
            foreach (var variant in verifierCascades ? coreVariants ?? [new CoreVariant("core", new MixLlmTrainingOptions())] : [])
            {
                var b = bases[variant.Name];
                foreach (var (probe, factor) in new[] { false, true }.SelectMany(p => (cascadeFirstFactors ?? [1.0]).Select(factor => (p, factor))))
                {
                    var pre = new PrecomputedPredictor(b.Q, b.Len, b.Bonus, test.K);
                    var name = FormattableString.Invariant($"{variant.Name} cascade{(probe ? "+probe" : "")}{(factor == 1 ? "" : $" first={factor}λ")}");
                    policies.Add(new Verification.CascadePolicy(name, new ScoredPolicy("router", () => pre, 0, latencyAware: false),
                        new Router.Core.Verification.AnswerVerifierOptions { Seed = seed }, probe, firstLambdaFactor: factor));
                }
            }

            if (baselines)
            {
                policies.Add(new ScoredPolicy("knn (RouterBench)", () => new KnnPredictor(50), 0, false));
                policies.Add(new ScoredPolicy("mlp (RouterBench)", () => new MlpPredictor(seed, 200), 0, false));
            }

            // Bounds (they read the fold's test labels): the best task-level router, and with per-query knowledge.
            foreach (var fraction in revealedFractions ?? [0])
            {
                policies.Add(new TaskOracleBound(fraction, seed));
            }

            // Every single arm: the reference defines the percentages, the cheapest is RouteLLM's weak model.
            policies.AddRange(Enumerable.Range(0, full.K).Select(a => FixedPolicy.Arm(a, full.Data.Arms[a])));
            foreach (var p in policies)
            {
                p.Prepare(train, test, cancellationToken);
            }

            var results = EvaluationRunner.Run(test, policies, EvaluationRunner.DefaultLambdas, null, cancellationToken);
            var (reports, _, _, _) = ReportBuilder.Build(test, reference, results);
            foreach (var r in reports.Where(r => r.Points.Count > 1))
            {
                var within = ReportBuilder.BestWithin(r, ReportWriter.TargetCostPct)?.QualityPctOfReference ?? 0;
                var reach = ReportBuilder.CheapestReaching(r, ReportWriter.TargetQualityPct)?.CostPctOfReference;
                if (!perPolicy.TryGetValue(r.Name, out var list))
                {
                    perPolicy[r.Name] = list = [];
                }

                list.Add((r.Aiq, within, reach, r.Apgr ?? double.NaN, r.Cpt50 ?? double.NaN, r.Cpt80 ?? double.NaN));
            }
        }

        return perPolicy.Select(kv => new CvResult(
            kv.Key,
            kv.Value.Average(x => x.Aiq),
            kv.Value.Average(x => x.Q),
            kv.Value.Where(x => x.C is not null).Select(x => x.C!.Value).DefaultIfEmpty(double.NaN).Average(),
            kv.Value.Count(x => x.C is not null))
        {
            AiqSd = Sd(kv.Value.Select(x => x.Aiq).ToList()),
            QualitySd = Sd(kv.Value.Select(x => x.Q).ToList()),
            Apgr = kv.Value.Average(x => x.Apgr),
            ApgrSd = Sd(kv.Value.Select(x => x.Apgr).ToList()),
            Cpt50 = kv.Value.Average(x => x.Cpt50),
            Cpt80 = kv.Value.Average(x => x.Cpt80),
        }).ToList();
    }

    private static double Sd(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2)
        {
            return 0;
        }

        var mean = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
    }
}
