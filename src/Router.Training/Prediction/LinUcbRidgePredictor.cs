using MathNet.Numerics.LinearAlgebra;
using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// MixLLM's per-arm predictors (DESIGN.md steps 5-6) as used by the offline harness: for every arm a ridge
/// regression of quality (as a residual from the arm's prior mean, so the ridge shrinks towards the arm's average
/// rather than towards 0; an arm without data starts at the mean of the trained arms) and of log(1 + completion
/// tokens) on the feature vector
/// <c>x = [e ; τ·onehot(task) ; 1]</c> (task: the training label when fitting, inferred from the embedding by
/// <see cref="TaskInference"/> when predicting or learning online), sharing the LinUCB matrix <c>A_l = ρI + Σ x xᵀ</c>; the bonus is
/// <c>sqrt(xᵀ A_l⁻¹ x)</c> (scaled by α in the decision). Optionally the ridge quality is blended with a kNN estimate
/// (mean score of the <see cref="KnnK"/> nearest training prompts of the same task, the query's task being inferred from its
/// embedding by <see cref="TaskInference"/>: labels are used in training only), which captures local structure a
/// linear model on a frozen encoder misses. Online, <see cref="Observe"/> applies Sherman–Morrison rank-1 updates to
/// <c>A_l⁻¹</c> (no inversion per event).
/// </summary>
internal sealed class LinUcbRidgePredictor : IOnlineArmPredictor
{
    private string[] _tasks = [];
    private Matrix<double>[] _aInv = [];
    private Vector<double>[] _bQ = [];
    private Vector<double>[] _bLen = [];
    private Vector<double>[] _wQ = [];
    private Vector<double>[] _wLen = [];
    private double[] _priorLen = [];
    private double[] _priorQ = [];
    private readonly List<float[]> _memoryEmb = [];
    private readonly List<double[]> _memoryQuality = [];
    private readonly List<string> _memoryTask = [];
    private TaskInference? _inference;
    private int _d;
    private EvalSet? _fittedOn;

    /// <summary>Ridge strength ρ. Default 1.</summary>
    public double Rho { get; init; } = 1;

    /// <summary>Use task tags as features (off for the <c>notags</c> ablation). Default true.</summary>
    public bool UseTags { get; init; } = true;

    /// <summary>Scale τ of the task one-hot features. Default 1.</summary>
    public double TagScale { get; init; } = 1;

    /// <summary>Append prompt-length features (global and per inferred task). Default false.</summary>
    public bool Lexical { get; init; }

    /// <summary>Weight of the kNN quality estimate in [0, 1]. Default 0 (pure ridge).</summary>
    public double KnnWeight { get; init; }

    /// <summary>Neighbours of the kNN estimate. Default 50.</summary>
    public int KnnK { get; init; } = 50;

    /// <summary>
    /// Temperature τ of the neighbour weights <c>exp((sim − sim_max)/τ)</c>; 0 (default) weighs the neighbours equally.
    /// A small τ lets near-duplicates of the query dominate while far neighbours still smooth.
    /// </summary>
    public double KnnTemperature { get; init; }

    public void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken)
    {
        _fittedOn = train;
        _memoryEmb.Clear();
        _memoryQuality.Clear();
        _memoryTask.Clear();
        for (var i = 0; i < train.N; i++)
        {
            _memoryEmb.Add(train.Embedding(i).ToArray());
            var q = train.Quality.AsSpan(i * train.K, train.K).ToArray();
            for (var a = 0; a < train.K; a++)
            {
                if (trainedArms is { } t && !t[a])
                {
                    q[a] = double.NaN;
                }
            }

            _memoryQuality.Add(q);
            _memoryTask.Add(train.Tasks[i]);
        }

        _tasks = UseTags ? train.Tasks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() : [];
        _inference = TaskInference.Fit(train);
        _d = train.Dimension + _tasks.Length + (Lexical ? _tasks.Length + 1 : 0) + 1;
        _aInv = new Matrix<double>[train.K];
        _bQ = new Vector<double>[train.K];
        _bLen = new Vector<double>[train.K];
        _wQ = new Vector<double>[train.K];
        _wLen = new Vector<double>[train.K];
        _priorLen = Enumerable.Range(0, train.K).Select(a => double.LogP1(train.ColumnMean(train.CompletionTokens, a) is var m && double.IsNaN(m) ? EvalSet.DefaultCompletionTokens : m)).ToArray();
        var trainedMeans = Enumerable.Range(0, train.K).Where(a => trainedArms is null || trainedArms[a]).Select(a => train.ColumnMean(train.Quality, a)).Where(double.IsFinite).DefaultIfEmpty(0.5).ToList();
        _priorQ = Enumerable.Range(0, train.K).Select(a => trainedArms is { } t && !t[a] || !double.IsFinite(train.ColumnMean(train.Quality, a)) ? trainedMeans.Average() : train.ColumnMean(train.Quality, a)).ToArray();
        var features = Matrix<double>.Build.Dense(train.N, _d);
        for (var i = 0; i < train.N; i++)
        {
            features.SetRow(i, Features(train, i, train.Tasks[i]));
        }

        // One Gram matrix XᵀX for all arms; an arm subtracts the rows it has no outcome for (usually none).
        var gram = features.TransposeThisAndMultiply(features);
        Parallel.For(0, train.K, new ParallelOptions { CancellationToken = cancellationToken }, a =>
        {
            var untrained = trainedArms is { } t && !t[a];
            var aMat = untrained ? Matrix<double>.Build.Dense(_d, _d) : gram.Clone();
            var bQ = Vector<double>.Build.Dense(_d);
            var bLen = Vector<double>.Build.Dense(_d);
            for (var i = 0; i < train.N && !untrained; i++)
            {
                var x = features.Row(i);
                if (!train.Has(i, a))
                {
                    aMat -= x.OuterProduct(x);
                    continue;
                }

                bQ += x * (train.Quality[i * train.K + a] - _priorQ[a]);
                bLen += x * (double.LogP1(train.CompletionTokens[i * train.K + a]) - _priorLen[a]);
            }

            aMat += Matrix<double>.Build.DenseIdentity(_d) * Rho;
            _aInv[a] = aMat.Inverse();
            _bQ[a] = bQ;
            _bLen[a] = bLen;
            _wQ[a] = _aInv[a] * bQ;
            _wLen[a] = _aInv[a] * bLen;
        });
    }

    public void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus)
    {
        // Decision time: the task is inferred from the embedding, never read from set.Tasks (a gateway has no label).
        var task = InferredTask(set, i);
        var x = Features(set, i, task);
        double[]? knn = null;
        if (KnnWeight > 0 && _memoryEmb.Count > 0)
        {
            knn = KnnSameTask(set, i, task, x);
        }

        for (var a = 0; a < _aInv.Length; a++)
        {
            var q = Math.Clamp(_priorQ[a] + _wQ[a] * x, 0, 1);
            quality[a] = knn is null ? q : (1 - KnnWeight) * q + KnnWeight * knn[a];
            completionTokens[a] = double.ExpM1(Math.Clamp(_wLen[a] * x + _priorLen[a], 0, 12));
            bonus[a] = Math.Sqrt(Math.Max(0, x * (_aInv[a] * x)));
        }
    }

    public void Observe(EvalSet set, int i, int arm, double reward, double completionTokens)
    {
        // Sherman–Morrison: (A + x xᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x).
        var task = InferredTask(set, i);
        var x = Features(set, i, task);
        var ax = _aInv[arm] * x;
        var denom = 1 + x * ax;
        _aInv[arm] -= ax.OuterProduct(ax) / denom;
        _bQ[arm] += x * (reward - _priorQ[arm]);
        _bLen[arm] += x * (double.LogP1(completionTokens) - _priorLen[arm]);
        _wQ[arm] = _aInv[arm] * _bQ[arm];
        _wLen[arm] = _aInv[arm] * _bLen[arm];

        // The kNN memory learns too: the query joins it with only the chosen arm's outcome known.
        var q = new double[_aInv.Length];
        Array.Fill(q, double.NaN);
        q[arm] = reward;
        _memoryEmb.Add(set.Embedding(i).ToArray());
        _memoryQuality.Add(q);
        _memoryTask.Add(task);
    }

    /// <summary>The fitted state, for a checkpoint: feature layout and per-arm A⁻¹, b and priors.</summary>
    public LinUcbState ExportState(IReadOnlyList<string> arms) => new()
    {
        Arms = arms,
        Tasks = _tasks,
        FeatureDimension = _d,
        Rho = Rho,
        TagScale = TagScale,
        PerArm = Enumerable.Range(0, _aInv.Length).Select(a => new LinUcbArmState
        {
            Arm = arms[a],
            PriorQuality = _priorQ[a],
            PriorLogLength = _priorLen[a],
            AInverse = _aInv[a].ToRowMajorArray(),
            BQuality = _bQ[a].ToArray(),
            BLength = _bLen[a].ToArray(),
        }).ToList(),
    };

    private string InferredTask(EvalSet set, int i) => UseTags && _inference is { } inf ? inf.Infer(set.Embedding(i)) : "";

    private Vector<double> Features(EvalSet set, int i, string task)
    {
        var v = Vector<double>.Build.Dense(_d);
        var e = set.Embedding(i);
        for (var j = 0; j < e.Length; j++)
        {
            v[j] = e[j];
        }

        var t = Array.IndexOf(_tasks, task);
        if (t >= 0)
        {
            v[e.Length + t] = TagScale;
        }

        if (Lexical)
        {
            // Cheap per-query signal the embedding may miss: prompt length (log tokens, centred near RouterBench's
            // median) globally and per inferred task, so a length effect can differ between tasks.
            var length = (Math.Log(1 + set.PromptTokens[i]) - 4.5) / 2;
            v[e.Length + _tasks.Length] = length;
            if (t >= 0)
            {
                v[e.Length + _tasks.Length + 1 + t] = length;
            }
        }

        v[_d - 1] = 1;
        return v;
    }

    private double[] KnnSameTask(EvalSet set, int i, string task, Vector<double> x)
    {
        // Cosine similarity (rows are L2-normalised) to every remembered query of the same task; each arm averages
        // its K most similar neighbours that have an outcome for it (online rows know only the chosen arm's).
        var k = _aInv.Length;
        var e = set.Embedding(i);
        var candidates = new List<(float Sim, int Row)>(_memoryEmb.Count);
        for (var j = 0; j < _memoryEmb.Count; j++)
        {
            if (UseTags && _memoryTask[j] != task)
            {
                continue;
            }

            if (j == SelfRow(set, i))
            {
                continue;
            }

            candidates.Add((System.Numerics.Tensors.TensorPrimitives.Dot(e, _memoryEmb[j]), j));
        }

        candidates.Sort((p, q) => p.Sim != q.Sim ? q.Sim.CompareTo(p.Sim) : p.Row.CompareTo(q.Row));
        var result = new double[k];
        var top = candidates.Count > 0 ? candidates[0].Sim : 0f;
        for (var a = 0; a < k; a++)
        {
            double sum = 0, weights = 0;
            var n = 0;
            foreach (var (sim, row) in candidates)
            {
                var q = _memoryQuality[row][a];
                if (double.IsNaN(q))
                {
                    continue;
                }

                var w = KnnTemperature > 0 ? Math.Exp((sim - top) / KnnTemperature) : 1;
                sum += w * q;
                weights += w;
                if (++n == KnnK)
                {
                    break;
                }
            }

            result[a] = n > 0 ? sum / weights : Math.Clamp(_priorQ[a] + _wQ[a] * x, 0, 1);
        }

        return result;
    }

    // In-sample prediction (the training set itself) leaves the query out of its own neighbours.
    private int SelfRow(EvalSet set, int i) => ReferenceEquals(set, _fittedOn) ? i : -1;
}
