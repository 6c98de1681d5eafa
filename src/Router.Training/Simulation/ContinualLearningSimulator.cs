using Router.Core.Decision;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Simulation;

/// <summary>
/// MixLLM's continual-learning and adaptability experiments (DESIGN.md "Evaluation protocol"). The training rows are
/// cut into an offline part (full feedback: every arm's outcome) and an online stream in which only the chosen arm's
/// outcome is revealed, as refined feedback (the score) or binary feedback (1 when the score is ≥ 0.5, else 0).
/// The stream is routed at a fixed operating λ chosen from predicted costs only (no labels): the λ whose mean
/// predicted cost on the stream's prompts is closest to the budget share of the reference arm's. Each variant is then
/// swept over λ on the held-out test set and compared by quality at a matched cost (the hull of its (cost, quality)
/// points read at the budget) and by AIQ.
/// </summary>
internal sealed class ContinualLearningSimulator
{
    private readonly EvalSet _train;
    private readonly EvalSet _test;
    private readonly int _reference;
    private readonly PolicyCatalog.MixLlmSettings _settings;
    private readonly int _seed;

    public ContinualLearningSimulator(EvalSet train, EvalSet test, int reference, PolicyCatalog.MixLlmSettings settings, double budgetPct, int seed)
    {
        _train = train;
        _test = test;
        _reference = reference;
        _settings = settings;
        _seed = seed;
        BudgetPct = budgetPct;
        CostReference = ScoredPolicy.CostReferenceOf(train);
        ReferenceCost = Enumerable.Range(0, test.N).Sum(i => test.Cost[i * test.K + reference]);
        ReferenceQuality = Enumerable.Range(0, test.N).Average(i => test.Quality[i * test.K + reference]);
    }

    public double BudgetPct { get; }

    public double CostReference { get; }

    public double ReferenceCost { get; }

    public double ReferenceQuality { get; }

    internal sealed record Outcome(string Experiment, string Variant, double QualityPctAtBudget, double Aiq, double StreamQuality, int StreamQueries, double StreamLambda);

    /// <summary>
    /// Offline:online splits × {offline only, refined, binary (the engine's defaults; without the head; the head alone
    /// with r = ±1 and η = 0.1, DESIGN.md step 10 as first built), full information}.
    /// </summary>
    public List<Outcome> ContinualLearning(IReadOnlyList<double> offlineShares, CancellationToken cancellationToken)
    {
        var results = new List<Outcome>();
        var all = Enumerable.Range(0, _train.K).Select(_ => true).ToArray();
        foreach (var share in offlineShares)
        {
            var (offline, online) = Cut(share);
            var name = $"{Math.Round(share * 100)}:{Math.Round((1 - share) * 100)}";
            results.Add(Run(name, "offline only", offline, [], all, all, FeedbackKind.None, cancellationToken));
            results.Add(Run(name, "online, refined feedback", offline, online, all, all, FeedbackKind.Refined, cancellationToken));
            results.Add(Run(name, "online, binary feedback", offline, online, all, all, FeedbackKind.Binary, cancellationToken));
            results.Add(Run(name, "online, binary feedback, no head (η = 0)", offline, online, all, all, FeedbackKind.Binary, cancellationToken,
                o => o with { FeedbackLearningRate = 0 }));
            results.Add(Run(name, "online, binary feedback, head only (r = ±1, η = 0.1)", offline, online, all, all, FeedbackKind.Binary, cancellationToken,
                o => o with { FeedbackLearningRate = 0.1, BinaryBaseline = false, BinaryUpdatesQuality = false }));
            results.Add(Run(name, "full information (upper bound)", [.. offline, .. online], [], all, all, FeedbackKind.None, cancellationToken));
        }

        return results;
    }

    /// <summary>Adaptability: <paramref name="newArms"/> are absent offline and join at the start of the online stream.</summary>
    public List<Outcome> Adaptability(IReadOnlyList<int> newArms, double offlineShare, CancellationToken cancellationToken)
    {
        var (offline, online) = Cut(offlineShare);
        var all = Enumerable.Range(0, _train.K).Select(_ => true).ToArray();
        var without = all.Select((_, a) => !newArms.Contains(a)).ToArray();
        var name = "adaptability (" + string.Join(", ", newArms.Select(a => _train.Data.Arms[a])) + ")";
        return
        [
            Run(name, "never added", offline, online, without, without, FeedbackKind.Refined, cancellationToken),
            Run(name, "added at run time", offline, online, without, all, FeedbackKind.Refined, cancellationToken),
            Run(name, "trained with all arms", offline, online, all, all, FeedbackKind.Refined, cancellationToken),
        ];
    }

    private enum FeedbackKind
    {
        None,
        Refined,
        Binary,
    }

    private (int[] Offline, int[] Online) Cut(double share)
    {
        var rows = Enumerable.Range(0, _train.N).ToArray();
        new Random(_seed).Shuffle(rows);
        var n = (int)Math.Round(rows.Length * share);
        return (rows[..n], rows[n..]);
    }

    private Outcome Run(string experiment, string variant, int[] offlineRows, int[] onlineRows, bool[] trainedArms, bool[] allowed,
        FeedbackKind feedback, CancellationToken cancellationToken, Func<MixLlmEngineOptions, MixLlmEngineOptions>? engineOptions = null)
    {
        var offline = _train.Subset(offlineRows);
        var predictor = _settings.Predictor(engine: engineOptions);
        predictor.Fit(offline, trainedArms, cancellationToken);
        double streamQuality = 0;
        var lambda = 0.0;
        if (onlineRows.Length > 0 && feedback != FeedbackKind.None)
        {
            var stream = _train.Subset(onlineRows);
            lambda = OperatingLambda(predictor, stream, allowed);
            var quality = new double[stream.K];
            var len = new double[stream.K];
            var bonus = new double[stream.K];
            var terms = new double[stream.K];
            var candidates = Enumerable.Range(0, stream.K).Where(a => allowed[a]).Select(a => stream.Arms[a].Name).ToList();
            for (var i = 0; i < stream.N; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                predictor.Predict(stream, i, quality, len, bonus);
                FeedbackTerms(predictor, stream, i, terms);
                var a = Argmax(stream, i, lambda, quality, len, bonus, terms, allowed, _settings.Alpha);
                var observed = stream.Quality[i * stream.K + a];
                if (double.IsNaN(observed))
                {
                    continue; // the data set has no outcome for this pair: nothing to learn
                }

                streamQuality += observed;
                var completion = stream.CompletionTokens[i * stream.K + a];
                if (feedback == FeedbackKind.Binary && predictor is CoreEnginePredictor engine)
                {
                    // Thumbs (score ≥ 0.5 = up) go through the engine's binary-feedback head, as in the gateway.
                    engine.ObserveBinary(stream, i, a, observed >= 0.5, completion, candidates);
                }
                else
                {
                    predictor.Observe(stream, i, a, feedback == FeedbackKind.Binary ? (observed >= 0.5 ? 1 : 0) : observed, completion);
                }
            }

            streamQuality /= stream.N;
        }

        var (qualityAtBudget, aiq) = Curve(predictor, allowed);
        return new Outcome(experiment, variant, qualityAtBudget, aiq, streamQuality, onlineRows.Length, lambda);
    }

    private double OperatingLambda(IArmPredictor predictor, EvalSet stream, bool[] allowed)
    {
        var q = new double[stream.N * stream.K];
        var len = new double[stream.N * stream.K];
        var bonus = new double[stream.N * stream.K];
        var terms = new double[stream.N * stream.K];
        for (var i = 0; i < stream.N; i++)
        {
            predictor.Predict(stream, i, q.AsSpan(i * stream.K, stream.K), len.AsSpan(i * stream.K, stream.K), bonus.AsSpan(i * stream.K, stream.K));
            FeedbackTerms(predictor, stream, i, terms.AsSpan(i * stream.K, stream.K));
        }

        var refCost = Enumerable.Range(0, stream.N).Sum(i => stream.Arms[_reference].CostUsd(stream.PromptTokens[i], len[i * stream.K + _reference]));
        var target = BudgetPct / 100 * refCost;
        return EvaluationRunner.DefaultLambdas.MinBy(l =>
        {
            double cost = 0;
            for (var i = 0; i < stream.N; i++)
            {
                var a = Argmax(stream, i, l, q.AsSpan(i * stream.K, stream.K), len.AsSpan(i * stream.K, stream.K), bonus.AsSpan(i * stream.K, stream.K), terms.AsSpan(i * stream.K, stream.K), allowed, 0);
                cost += stream.Arms[a].CostUsd(stream.PromptTokens[i], len[i * stream.K + a]);
            }

            return Math.Abs(cost - target);
        });
    }

    // The core engine's κ·s^df (0 until it has had thumbs); other predictors have no binary-feedback head.
    private static void FeedbackTerms(IArmPredictor predictor, EvalSet set, int i, Span<double> terms)
    {
        if (predictor is CoreEnginePredictor engine)
        {
            engine.FeedbackTerms(set, i, terms);
        }
        else
        {
            terms.Clear();
        }
    }

    private int Argmax(EvalSet set, int i, double lambda, ReadOnlySpan<double> q, ReadOnlySpan<double> len, ReadOnlySpan<double> bonus, ReadOnlySpan<double> feedbackTerm,
        bool[] allowed, double alpha)
    {
        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var a = 0; a < set.K; a++)
        {
            if (!allowed[a])
            {
                continue;
            }

            // κ·s^df in quality units (scaled by λ like the bonus): unscaled, as the core's Score adds it, a term of
            // order 1 outweighs the whole cost scale at every λ and the router leaves any budget (README, simulate).
            var score = lambda * (q[a] + alpha * bonus[a] + feedbackTerm[a]) - set.Arms[a].CostUsd(set.PromptTokens[i], len[a]) / CostReference;
            if (score > bestScore)
            {
                (best, bestScore) = (a, score);
            }
        }

        return best;
    }

    private (double QualityPctAtBudget, double Aiq) Curve(IArmPredictor predictor, bool[] allowed)
    {
        var k = _test.K;
        var q = new double[_test.N * k];
        var len = new double[_test.N * k];
        var bonus = new double[_test.N * k];
        var terms = new double[_test.N * k];
        for (var i = 0; i < _test.N; i++)
        {
            predictor.Predict(_test, i, q.AsSpan(i * k, k), len.AsSpan(i * k, k), bonus.AsSpan(i * k, k));
            FeedbackTerms(predictor, _test, i, terms.AsSpan(i * k, k));
        }

        var points = EvaluationRunner.DefaultLambdas.Select(l =>
        {
            double quality = 0, cost = 0;
            for (var i = 0; i < _test.N; i++)
            {
                var a = Argmax(_test, i, l, q.AsSpan(i * k, k), len.AsSpan(i * k, k), bonus.AsSpan(i * k, k), terms.AsSpan(i * k, k), allowed, _settings.Alpha);
                quality += _test.Quality[i * k + a];
                cost += _test.Cost[i * k + a];
            }

            return (Cost: cost, Quality: quality / _test.N);
        }).ToList();
        var budget = BudgetPct / 100 * ReferenceCost;
        return (100 * HullAt(points, budget) / ReferenceQuality, Aiq.Compute(points, ReferenceCost));
    }

    /// <summary>The hull's quality at <paramref name="cost"/> (linear between hull points, flat after the last; 0 before the first).</summary>
    public static double HullAt(IEnumerable<(double Cost, double Quality)> points, double cost)
    {
        var hull = Aiq.Hull(points);
        if (hull.Count == 0 || cost < hull[0].Cost)
        {
            return 0;
        }

        for (var i = 1; i < hull.Count; i++)
        {
            if (cost <= hull[i].Cost)
            {
                var t = (cost - hull[i - 1].Cost) / (hull[i].Cost - hull[i - 1].Cost);
                return hull[i - 1].Quality + t * (hull[i].Quality - hull[i - 1].Quality);
            }
        }

        return hull[^1].Quality;
    }
}
