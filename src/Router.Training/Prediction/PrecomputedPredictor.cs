using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// Predictions computed elsewhere for one fixed set (cross-validation combines base predictors' outputs without
/// refitting them). <see cref="Fit"/> does nothing; <see cref="Predict"/> only answers for rows of that set.
/// </summary>
internal sealed class PrecomputedPredictor : IArmPredictor
{
    private readonly double[] _q;
    private readonly double[] _len;
    private readonly double[] _bonus;
    private readonly int _k;

    public PrecomputedPredictor(double[] quality, double[] completionTokens, double[] bonus, int k)
    {
        (_q, _len, _bonus, _k) = (quality, completionTokens, bonus, k);
    }

    /// <summary>Runs <paramref name="predictor"/> on every row of <paramref name="set"/>.</summary>
    public static (double[] Q, double[] Len, double[] Bonus) Capture(IArmPredictor predictor, EvalSet set)
    {
        var (q, len, bonus) = (new double[set.N * set.K], new double[set.N * set.K], new double[set.N * set.K]);
        Parallel.For(0, set.N, i => predictor.Predict(set, i, q.AsSpan(i * set.K, set.K), len.AsSpan(i * set.K, set.K), bonus.AsSpan(i * set.K, set.K)));
        return (q, len, bonus);
    }

    public void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken)
    {
    }

    public void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus)
    {
        _q.AsSpan(i * _k, _k).CopyTo(quality);
        _len.AsSpan(i * _k, _k).CopyTo(completionTokens);
        _bonus.AsSpan(i * _k, _k).CopyTo(bonus);
    }
}
