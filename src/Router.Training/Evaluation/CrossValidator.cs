using Router.Training.Prediction;

namespace Router.Training.Evaluation;

/// <summary>Task-stratified, seeded k-fold cross-validation of policies (see <c>router cv</c>).</summary>
internal static class CrossValidator
{
    internal sealed record CvResult(string Name, double Aiq, double QualityWithinBudget, double CostToReach, int FoldsReaching);

    public static IReadOnlyList<CvResult> Run(EvalSet full, int folds, int seed, IReadOnlyList<PolicyCatalog.MixLlmSettings> settings, bool baselines, CancellationToken cancellationToken)
    {
        var assignment = full.Data.Folds(folds, seed);
        var reference = full.Data.ArmIndex("gpt-4-1106-preview") is var g and >= 0 ? g : 0;
        var perPolicy = new Dictionary<string, List<(double Aiq, double Q, double? C)>>(StringComparer.Ordinal);
        for (var f = 0; f < folds; f++)
        {
            var trainRows = Enumerable.Range(0, full.N).Where(i => assignment[i] != f).ToArray();
            var testRows = Enumerable.Range(0, full.N).Where(i => assignment[i] == f).ToArray();
            var train = full.Subset(trainRows);
            var testAll = full.Subset(testRows);
            var test = testAll.Subset(testAll.CompleteRows());
            var policies = new List<EvalPolicy>();
            foreach (var s in settings)
            {
                var captured = s;
                policies.Add(new ScoredPolicy(Describe(s), () => captured.Predictor(), s.Alpha, latencyAware: true));
            }

            if (baselines)
            {
                policies.Add(new ScoredPolicy("knn", () => new KnnPredictor(50), 0, false));
                policies.Add(new ScoredPolicy("mlp", () => new MlpPredictor(seed, 200), 0, false));
            }

            policies.Add(FixedPolicy.Arm(reference, full.Data.Arms[reference]));
            EvaluationRunner.Prepare(train, test, policies, cancellationToken);
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

                list.Add((r.Aiq, within, reach));
            }
        }

        return perPolicy.Select(kv => new CvResult(
            kv.Key,
            kv.Value.Average(x => x.Aiq),
            kv.Value.Average(x => x.Q),
            kv.Value.Where(x => x.C is not null).Select(x => x.C!.Value).DefaultIfEmpty(double.NaN).Average(),
            kv.Value.Count(x => x.C is not null))).ToList();
    }

    public static string Describe(PolicyCatalog.MixLlmSettings s) =>
        FormattableString.Invariant($"mixllm(knn_w={s.KnnWeight}, k={s.KnnK}, alpha={s.Alpha}, rho={s.Rho}, tag={s.TagScale})");
}
