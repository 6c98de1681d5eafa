using System.Globalization;
using System.Text;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.OffPolicy;

/// <summary>
/// <c>router ope --validate</c>: on data where every arm's outcome is known (RouterBench), train MixLLM on a split,
/// simulate an exploring logging policy on the test queries (ε-greedy around MixLLM at λ = 1, seeded), estimate
/// several target policies (MixLLM at other λ) from that log alone, and compare with their true values computed
/// from the full outcomes: bias and 95%-interval coverage per estimator over the seeds.
/// </summary>
internal static class OpeValidation
{
    public static readonly double[] TargetLambdas = [0.3, 3, 30];
    public const double LoggingLambda = 1;

    public sealed record Row(double Lambda, string Estimator, double Truth, double MeanEstimate, double Bias, double Coverage, double MeanWidth, double MeanEss);

    public static List<Row> Run(EvalSet train, EvalSet test, double epsilon, int seeds, string encoderId, CancellationToken cancellationToken)
    {
        var predictor = (CoreEnginePredictor)new PolicyCatalog.MixLlmSettings().Predictor(useKnn: false, encoderId: encoderId);
        predictor.Fit(train, null, cancellationToken);
        var cref = predictor.Engine.CostReference > 0 ? predictor.Engine.CostReference : 1;
        var k = test.K;

        // The direct model: predicted quality and cost per (query, arm) — λ-independent.
        var q = new double[test.N * k];
        var c = new double[test.N * k];
        var bonus = new double[test.N * k];
        var length = new double[k];
        for (var i = 0; i < test.N; i++)
        {
            predictor.Predict(test, i, q.AsSpan(i * k, k), length, bonus.AsSpan(i * k, k));
            for (var a = 0; a < k; a++)
            {
                c[(i * k) + a] = test.Arms[a].CostUsd(test.PromptTokens[i], length[a]);
            }
        }

        // Queries with every arm's outcome, so the truth is exact.
        var rows = Enumerable.Range(0, test.N).Where(i => Enumerable.Range(0, k).All(a => test.Has(i, a))).ToArray();
        int Greedy(int i, double lambda)
        {
            var best = 0;
            var bestScore = double.NegativeInfinity;
            for (var a = 0; a < k; a++)
            {
                var s = (lambda * q[(i * k) + a]) - (c[(i * k) + a] / cref);
                if (s > bestScore)
                {
                    bestScore = s;
                    best = a;
                }
            }

            return best;
        }

        var result = new List<Row>();
        foreach (var lambda in TargetLambdas)
        {
            var truth = rows.Average(i => test.Quality[(i * k) + Greedy(i, lambda)]);
            var estimates = new List<(IReadOnlyList<OpeEstimate> E, double Ess)>();
            for (var seed = 0; seed < seeds; seed++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var random = new Random(1000 + seed);
                var samples = new List<OpeSample>(rows.Length);
                foreach (var i in rows)
                {
                    var greedyLog = Greedy(i, LoggingLambda);
                    var logged = random.NextDouble() < epsilon ? random.Next(k) : greedyLog;
                    var propensity = (logged == greedyLog ? 1 - epsilon : 0) + (epsilon / k);
                    var target = Greedy(i, lambda);
                    var targetPropensity = (target == greedyLog ? 1 - epsilon : 0) + (epsilon / k);
                    samples.Add(new OpeSample(
                        logged == target ? 1 : 0, propensity, test.Quality[(i * k) + logged], q[(i * k) + logged], q[(i * k) + target],
                        targetPropensity, OpeSample.BoundedRewardVariance(q[(i * k) + target])));
                }

                estimates.Add((OffPolicyEstimator.Estimate(samples, 300, seed), OffPolicyEstimator.EffectiveSampleSize(samples)));
            }

            foreach (var name in new[] { "ips", "snips", "dr", "dr-bootstrap", "dm" })
            {
                var mine = estimates.Select(e => (e.E.First(x => x.Estimator == name), e.Ess)).ToList();
                result.Add(new Row(lambda, name, truth, mine.Average(m => m.Item1.Value), mine.Average(m => m.Item1.Value - truth),
                    mine.Count(m => m.Item1.Covers(truth)) / (double)mine.Count, mine.Average(m => m.Item1.High - m.Item1.Low), mine.Average(m => m.Ess)));
            }
        }

        return result;
    }

    public static string Table(IReadOnlyList<Row> rows, double epsilon, int seeds, int queries)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"off-policy validation: logging ε-greedy (ε = {epsilon}) around mixllm at λ = {LoggingLambda}; {seeds} seeds; {queries} test queries; quality in points (×100)");
        sb.AppendLine("intervals: dr normal with the model-based variance (OffPolicyEstimator.DrModelVariance), the others percentile bootstrap (300 resamples); coverage over the seeds");
        sb.AppendLine("| target λ | estimator | truth | mean estimate | bias | 95% CI coverage | mean CI width | mean ESS |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Lambda} | {r.Estimator} | {100 * r.Truth:0.00} | {100 * r.MeanEstimate:0.00} | {100 * r.Bias:+0.00;-0.00} | {100 * r.Coverage:0}% | {100 * r.MeanWidth:0.00} | {r.MeanEss:0} |");
        }

        return sb.ToString();
    }
}
