using Router.Core.Decision;
using Router.Core.Learning;
using Router.Core.Tagging;
using Router.Core.Training;
using Router.Training.Evaluation;

namespace Router.Training.Prediction;

/// <summary>
/// The core's MixLLM engine (<see cref="MixLlmTrainer"/> → <see cref="MixLlmEngine"/>) behind the harness's predictor
/// interface: tag-enhanced head trained on the task labels (cluster = task), per-arm ridge/LinUCB on the head's
/// output, and online learning through the engine's own learning events (<see cref="RefinedFeedback"/>,
/// <see cref="UsageObserved"/>, <see cref="ArmAdded"/>). What the gateway runs is what is evaluated here.
/// Optionally blends the engine's quality with a kNN estimate over the query's inferred task (<see cref="KnnWeight"/>,
/// the <c>mixllm+knn</c> policy), a harness-side addition the gateway does not have; with the default weight 0 this is
/// exactly the engine a <c>router train</c> checkpoint gives the gateway.
/// </summary>
internal sealed class CoreEnginePredictor : IOnlineArmPredictor
{
    private readonly MixLlmTrainingOptions _options;
    private MixLlmEngine? _engine;
    private LinUcbRidgePredictor? _knn;
    private EvalSet? _projectedFor;
    private readonly Lock _gate = new();
    private float[] _projected = [];

    public CoreEnginePredictor(MixLlmTrainingOptions options) => _options = options;

    /// <summary>Weight of the same-task kNN quality estimate in [0, 1]. Default 0 (the engine alone).</summary>
    public double KnnWeight { get; init; }

    public int KnnK { get; init; } = 50;

    /// <summary>Temperature of the kNN neighbour weights (0 = equal).</summary>
    public double KnnTemperature { get; init; }

    /// <summary>Restrict kNN neighbours to the query's task as inferred from its embedding (never its label). Default true.</summary>
    public bool KnnSameTask { get; init; } = true;

    /// <summary>
    /// k-means sub-clusters within each task for the tag head's labels (label = task × S + sub-cluster), so the head
    /// keeps within-task structure instead of collapsing each task to one point. 0 (default): the task labels alone.
    /// </summary>
    public int SubClusters { get; init; }

    /// <summary>Encoder identity written into the engine (and its checkpoint). Default "harness".</summary>
    public string EncoderId { get; init; } = "harness";

    public MixLlmEngine Engine => _engine ?? throw new InvalidOperationException("Fit first.");

    public void Fit(EvalSet train, bool[]? trainedArms, CancellationToken cancellationToken)
    {
        var arms = Enumerable.Range(0, train.K).Where(a => trainedArms is null || trainedArms[a]).ToList();
        var tasks = train.Tasks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var data = new TrainingData
        {
            EncoderId = EncoderId,
            EncoderDimension = train.Dimension,
            Embeddings = train.Embeddings,
            PromptTokens = train.PromptTokens,
            Arms = arms.Select(a => train.Arms[a]).ToList(),
            Quality = arms.Select(a => Enumerable.Range(0, train.N).Select(i => train.Quality[i * train.K + a]).ToArray()).ToList(),
            CompletionTokens = arms.Select(a => Enumerable.Range(0, train.N).Select(i => train.CompletionTokens[i * train.K + a]).ToArray()).ToList(),
            ClusterLabels = _options.UseHead ? Labels(train, tasks) : null,
        };
        _engine = MixLlmTrainer.Train(data, _options, cancellationToken: cancellationToken);
        foreach (var a in Enumerable.Range(0, train.K).Except(arms))
        {
            _engine.Apply(new ArmAdded { Arm = train.Arms[a].Name, InputPricePerMillion = train.Arms[a].InputPricePerMillion, OutputPricePerMillion = train.Arms[a].OutputPricePerMillion, Tags = train.Arms[a].Tags });
        }

        if (KnnWeight > 0)
        {
            _knn = new LinUcbRidgePredictor { KnnWeight = 1, KnnK = KnnK, UseTags = KnnSameTask, Rho = 1, KnnTemperature = KnnTemperature };
            _knn.Fit(train, trainedArms, cancellationToken);
        }

        _projectedFor = null;
    }

    public void Predict(EvalSet set, int i, Span<double> quality, Span<double> completionTokens, Span<double> bonus)
    {
        var engine = Engine;
        var z = Projected(set, i);
        for (var a = 0; a < set.K; a++)
        {
            var p = engine.Predict(set.Arms[a], z, set.PromptTokens[i], set.Arms);
            quality[a] = p.Quality;
            completionTokens[a] = p.CompletionTokens;
            bonus[a] = p.Uncertainty;
        }

        if (_knn is not null)
        {
            Span<double> kq = stackalloc double[set.K];
            Span<double> kl = stackalloc double[set.K];
            Span<double> kb = stackalloc double[set.K];
            _knn.Predict(set, i, kq, kl, kb);
            for (var a = 0; a < set.K; a++)
            {
                quality[a] = (1 - KnnWeight) * quality[a] + KnnWeight * kq[a];
            }
        }
    }

    public void Observe(EvalSet set, int i, int arm, double reward, double completionTokens)
    {
        var z = Projected(set, i).ToArray();
        var name = set.Arms[arm].Name;
        Engine.Apply(new RefinedFeedback { Arm = name, Embedding = z, Score = reward });
        Engine.Apply(new UsageObserved { Arm = name, Embedding = z, PromptTokens = set.PromptTokens[i], CompletionTokens = (int)Math.Round(completionTokens) });
        _knn?.Observe(set, i, arm, reward, completionTokens);
    }

    private int[] Labels(EvalSet train, List<string> tasks)
    {
        var labels = train.Tasks.Select(t => tasks.IndexOf(t)).ToArray();
        if (SubClusters <= 1)
        {
            return labels;
        }

        for (var t = 0; t < tasks.Count; t++)
        {
            var rows = Enumerable.Range(0, train.N).Where(i => labels[i] == t).ToArray();
            var data = new float[rows.Length * train.Dimension];
            for (var r = 0; r < rows.Length; r++)
            {
                train.Embedding(rows[r]).CopyTo(data.AsSpan(r * train.Dimension));
            }

            var sub = KMeans.Fit(data, train.Dimension, Math.Min(SubClusters, rows.Length), _options.Seed).Labels;
            for (var r = 0; r < rows.Length; r++)
            {
                labels[rows[r]] = (t * SubClusters) + sub[r];
            }
        }

        return labels;
    }

    /// <summary>
    /// Thumbs up/down for the chosen arm through the engine's binary-feedback head (<see cref="BinaryFeedback"/>: policy
    /// gradient on θ, so the score gains κ·s^df; by default the quality ridge also learns the thumb as a score of 1 or 0),
    /// plus the usage (length) the gateway observes anyway. The stream's decision is a deterministic argmax, so the
    /// propensity is 1.
    /// </summary>
    public void ObserveBinary(EvalSet set, int i, int arm, bool up, double completionTokens, IReadOnlyList<string> candidates)
    {
        var z = Projected(set, i).ToArray();
        var name = set.Arms[arm].Name;
        Engine.Apply(new BinaryFeedback { Arm = name, Embedding = z, Up = up, Propensity = 1, Candidates = candidates });
        Engine.Apply(new UsageObserved { Arm = name, Embedding = z, PromptTokens = set.PromptTokens[i], CompletionTokens = (int)Math.Round(completionTokens) });
    }

    /// <summary>The engine's binary-feedback term κ·s^df per arm for row <paramref name="i"/> (0 before any thumbs), added unscaled to the score as the core's <c>Score</c> does.</summary>
    public void FeedbackTerms(EvalSet set, int i, Span<double> terms)
    {
        var engine = Engine;
        var z = Projected(set, i);
        for (var a = 0; a < set.K; a++)
        {
            terms[a] = engine.Predict(set.Arms[a], z, set.PromptTokens[i], set.Arms).FeedbackTerm;
        }
    }

    // The head's output for every row of a set, computed once per set (the head is fixed after training).
    private ReadOnlySpan<float> Projected(EvalSet set, int i)
    {
        var engine = Engine;
        var k = engine.EmbeddingDimension;
        if (!ReferenceEquals(_projectedFor, set))
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_projectedFor, set))
                {
                    _projected = MixLlmTrainer.ProjectAll(engine, set.Embeddings);
                    _projectedFor = set;
                }
            }
        }

        return _projected.AsSpan(i * k, k);
    }
}
