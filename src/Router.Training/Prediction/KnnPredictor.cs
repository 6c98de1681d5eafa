using System.Numerics.Tensors;
using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// RouterBench's kNN router (Hu et al. 2024, §4): the <see cref="K"/> training prompts nearest by cosine similarity
/// vote; an arm's predicted quality is their mean score on it. Length (and so cost) is the arm's mean training
/// response length, as in RouterBench. No bonus.
/// </summary>
internal sealed class KnnPredictor : IArmPredictor
{
    private EvalSet? _train;
    private double[] _meanLength = [];
    private double[] _meanQuality = [];

    public KnnPredictor(int k = 50) => K = k;

    /// <summary>Neighbours. Default 50 (RouterBench).</summary>
    public int K { get; }

    public void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken)
    {
        _train = train;
        _meanLength = Enumerable.Range(0, train.K).Select(a => train.ColumnMean(train.CompletionTokens, a)).ToArray();
        _meanQuality = Enumerable.Range(0, train.K).Select(a => train.ColumnMean(train.Quality, a)).ToArray();
    }

    public void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus)
    {
        var train = _train ?? throw new InvalidOperationException("Fit first.");
        var neighbours = Nearest(train, set.Embedding(i), K, excludeSelf: ReferenceEquals(set, train) ? i : -1);
        for (var a = 0; a < train.K; a++)
        {
            double sum = 0;
            var n = 0;
            foreach (var j in neighbours)
            {
                var q = train.Quality[j * train.K + a];
                if (!double.IsNaN(q))
                {
                    sum += q;
                    n++;
                }
            }

            quality[a] = n > 0 ? sum / n : _meanQuality[a];
            completionTokens[a] = _meanLength[a];
            bonus[a] = 0;
        }
    }

    /// <summary>Indices of the <paramref name="k"/> rows of <paramref name="train"/> most cosine-similar to <paramref name="e"/>.</summary>
    public static int[] Nearest(EvalSet train, ReadOnlySpan<float> e, int k, int excludeSelf = -1)
    {
        k = Math.Min(k, train.N);
        var sims = new float[train.N];
        for (var j = 0; j < train.N; j++)
        {
            // Rows are L2-normalised, so the dot product is the cosine similarity.
            sims[j] = j == excludeSelf ? float.NegativeInfinity : TensorPrimitives.Dot(e, train.Embedding(j));
        }

        var idx = Enumerable.Range(0, train.N).ToArray();
        Array.Sort(sims, idx, Comparer<float>.Create((x, y) => y.CompareTo(x)));
        return idx[..k];
    }
}
