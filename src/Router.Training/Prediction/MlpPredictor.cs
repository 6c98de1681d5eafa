using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// RouterBench's MLP router: one regressor per arm on the embedding, hidden layers (100, 100, 100), predicted quality
/// clipped to [0, 1]; length (and so cost) is the arm's mean training response length. Arms train in parallel,
/// each with its own seed, so results do not depend on scheduling.
/// </summary>
internal sealed class MlpPredictor : IArmPredictor
{
    private readonly int _seed;
    private readonly int _maxEpochs;
    private SkLearnMlpRegressor?[] _models = [];
    private double[] _meanLength = [];
    private double[] _meanQuality = [];

    public MlpPredictor(int seed, int maxEpochs = 200)
    {
        _seed = seed;
        _maxEpochs = maxEpochs;
    }

    public void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken)
    {
        _meanLength = Enumerable.Range(0, train.K).Select(a => train.ColumnMean(train.CompletionTokens, a)).ToArray();
        _meanQuality = Enumerable.Range(0, train.K).Select(a => train.ColumnMean(train.Quality, a)).ToArray();
        _models = new SkLearnMlpRegressor?[train.K];
        Parallel.For(0, train.K, new ParallelOptions { CancellationToken = cancellationToken }, a =>
        {
            var rows = Enumerable.Range(0, train.N).Where(i => train.Has(i, a)).ToList();
            if (rows.Count < 2 || trainedArms is { } t && !t[a])
            {
                return;
            }

            var model = new SkLearnMlpRegressor(train.Dimension, [100, 100, 100], _seed * 1000 + a) { MaxEpochs = _maxEpochs };
            model.Fit(train.Embeddings, rows, rows.Select(i => train.Quality[i * train.K + a]).ToList(), cancellationToken);
            _models[a] = model;
        });
    }

    public void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus)
    {
        for (var a = 0; a < _models.Length; a++)
        {
            quality[a] = _models[a] is { } m ? Math.Clamp(m.Predict(set.Embedding(i)), 0, 1) : _meanQuality[a];
            completionTokens[a] = _meanLength[a];
            bonus[a] = 0;
        }
    }
}
