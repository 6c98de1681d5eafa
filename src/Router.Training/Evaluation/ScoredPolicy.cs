using Router.Training.Prediction;
using Router.Training.Simulation;

namespace Router.Training.Evaluation;

/// <summary>
/// A predictor-driven policy: <c>score_l = λ·(q̂_l + α·bonus_l) − ĉ_l / c_ref − latency penalty</c> (DESIGN.md step 8,
/// with the LinUCB bonus in quality units so that one α means the same optimism at every λ of a sweep), argmax over arms. <c>ĉ_l = prompt tokens × input price + predicted completion tokens × output price</c>;
/// <c>c_ref</c> is the mean training cost per query of the dearest arm, so λ = 1 means "one quality point is worth
/// the dearest arm's average bill". With a time limit, a latency-aware policy excludes arms whose expected wait plus
/// generation exceeds the limit and pays <c>λ·β·max(0, t̂ − t_target)/limit</c> above the target
/// (t_target = <see cref="TargetFraction"/> × limit); others ignore the queues.
/// </summary>
internal sealed class ScoredPolicy : EvalPolicy
{
    private readonly Func<IArmPredictor> _factory;
    private double[] _q = [];
    private double[] _len = [];
    private double[] _cost = [];
    private double[] _bonus = [];
    private int _k;

    public ScoredPolicy(string name, Func<IArmPredictor> factory, double alpha, bool latencyAware)
        : base(name)
    {
        _factory = factory;
        Alpha = alpha;
        LatencyAware = latencyAware;
    }

    public double Alpha { get; }

    public bool LatencyAware { get; }

    /// <summary>β of the latency penalty. Default 1.</summary>
    public double Beta { get; init; } = 1;

    /// <summary>Target latency as a fraction of the limit. Default 0.5.</summary>
    public double TargetFraction { get; init; } = 0.5;

    public double CostReference { get; private set; }

    public override bool Sweeps => true;

    public IArmPredictor? Predictor { get; private set; }

    public override void Prepare(EvalSet train, EvalSet test, CancellationToken cancellationToken)
    {
        var predictor = _factory();
        predictor.Fit(train, null, cancellationToken);
        Predictor = predictor;
        CostReference = CostReferenceOf(train);
        _k = test.K;
        _q = new double[test.N * _k];
        _len = new double[test.N * _k];
        _cost = new double[test.N * _k];
        _bonus = new double[test.N * _k];
        Parallel.For(0, test.N, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            predictor.Predict(test, i, _q.AsSpan(i * _k, _k), _len.AsSpan(i * _k, _k), _bonus.AsSpan(i * _k, _k));
            for (var a = 0; a < _k; a++)
            {
                _cost[i * _k + a] = test.Arms[a].CostUsd(test.PromptTokens[i], _len[i * _k + a]);
            }
        });
    }

    public override int Choose(int i, double lambda, QueueSimulator? queues, double now, double timeLimit)
    {
        var best = -1;
        var bestScore = double.NegativeInfinity;
        var fallback = 0;
        var fallbackTime = double.PositiveInfinity;
        for (var a = 0; a < _k; a++)
        {
            var j = i * _k + a;
            var score = Score(i, a, lambda);
            if (queues is not null && LatencyAware)
            {
                var t = queues.ExpectedTime(a, now, _len[j]);
                if (t < fallbackTime)
                {
                    (fallback, fallbackTime) = (a, t);
                }

                if (t > timeLimit)
                {
                    continue;
                }

                score -= lambda * Beta * Math.Max(0, t - TargetFraction * timeLimit) / timeLimit;
            }

            if (score > bestScore)
            {
                (best, bestScore) = (a, score);
            }
        }

        // Every arm over the limit: take the fastest (the query is likely lost, but cheapest to lose there).
        return best >= 0 ? best : fallback;
    }

    /// <summary>The score of arm <paramref name="a"/> on test row <paramref name="i"/> at <paramref name="lambda"/>, without latency.</summary>
    public double Score(int i, int a, double lambda)
    {
        var j = i * _k + a;
        return lambda * (_q[j] + Alpha * _bonus[j]) - _cost[j] / CostReference;
    }

    /// <summary>Predicted quality q̂ of arm <paramref name="a"/> on test row <paramref name="i"/>.</summary>
    public double PredictedQuality(int i, int a) => _q[i * _k + a];

    /// <summary>Predicted cost ĉ (USD) of arm <paramref name="a"/> on test row <paramref name="i"/>.</summary>
    public double PredictedCost(int i, int a) => _cost[i * _k + a];

    /// <summary>c_ref: the mean training cost per query of the arm with the highest mean cost.</summary>
    public static double CostReferenceOf(EvalSet train)
    {
        var max = Enumerable.Range(0, train.K).Select(a => train.ColumnMean(train.Cost, a)).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        return max > 0 ? max : 1;
    }
}
