using Router.Core.Decision;
using Router.Core.Training;
using Router.Core.Verification;
using Router.Training.Prediction;
using Router.Training.Verification;

namespace Router.Training.Evaluation;

/// <summary>
/// The policies <c>router evaluate</c> compares, and the MixLLM settings chosen by cross-validation
/// (<c>router cv</c> on the shared RouterBench train files; see README "Results").
/// </summary>
internal static class PolicyCatalog
{
    /// <summary>MixLLM settings (the defaults are the cross-validated choice, README "Results").</summary>
    internal sealed record MixLlmSettings
    {
        /// <summary>LinUCB α (bonus in quality units). Offline, with full feedback, it barely matters; online it drives exploration.</summary>
        public double Alpha { get; init; } = 0.05;

        /// <summary>
        /// Weight of the same-task kNN quality estimate blended into the engine's ridge estimate by the harness-only
        /// <c>mixllm+knn</c> variant (the query's task inferred from its embedding). <c>mixllm</c> itself is the core
        /// engine alone, exactly what the gateway runs from a <c>router train</c> checkpoint.
        /// </summary>
        public double KnnWeight { get; init; } = 0.75;

        /// <summary>Neighbours of the kNN estimate.</summary>
        public int KnnK { get; init; } = 400;

        /// <summary>Temperature of the kNN neighbour weights (0 = equal weights).</summary>
        public double KnnTemperature { get; init; }

        /// <summary>True: the core engine (tag head + per-arm ridge/LinUCB); false: the harness's interim ridge on [embedding; task one-hot].</summary>
        public bool UseCoreEngine { get; init; } = true;

        /// <summary>Ridge strength ρ of the core engine (saved in its checkpoint).</summary>
        public double CoreRho { get; init; } = 1;

        /// <summary>Ridge strength of the interim predictor.</summary>
        public double Rho { get; init; } = 1;

        /// <summary>
        /// The predictor; <paramref name="useTags"/> false drops the tag head and the same-task kNN restriction;
        /// <paramref name="useKnn"/> true adds the harness-only kNN blend (not in the gateway).
        /// </summary>
        /// <param name="useTags">False: no tag head, no same-task kNN restriction (the <c>mixllm-notags</c> ablation).</param>
        /// <param name="useKnn">True: the harness-only kNN blend (<c>mixllm+knn</c>).</param>
        /// <param name="encoderId">Encoder identity written into the engine's state.</param>
        /// <param name="engine">Changes to the core engine's options (a variant of the simulation), or null.</param>
        public IOnlineArmPredictor Predictor(bool useTags = true, bool useKnn = false, string encoderId = "harness", Func<MixLlmEngineOptions, MixLlmEngineOptions>? engine = null) => UseCoreEngine
            ? new CoreEnginePredictor(new MixLlmTrainingOptions
            {
                UseHead = useTags,
                Engine = (engine ?? (o => o))(new MixLlmEngineOptions { Rho = CoreRho, ColdQualityFromPricePeers = true }),
            })
            {
                KnnWeight = useKnn ? KnnWeight : 0,
                KnnK = KnnK,
                KnnSameTask = useTags,
                KnnTemperature = KnnTemperature,
                EncoderId = encoderId,
            }
            : new LinUcbRidgePredictor { Rho = Rho, UseTags = useTags, KnnWeight = useKnn ? KnnWeight : 0, KnnK = KnnK, KnnTemperature = KnnTemperature };
    }

    public static IReadOnlyList<string> All { get; } =
        ["mixllm", "mixllm+knn", "mixllm-notags", "mixllm-nobonus", "mixllm-nolatency", "cascade", "cascade+probe", "knn", "mlp", "random", "cheapest", "oracle", "task-oracle"];

    public static List<EvalPolicy> Create(IReadOnlyList<string> armNames, IReadOnlyCollection<string> wanted, MixLlmSettings mix,
        bool timeLimited, int seed, int mlpEpochs, IReadOnlyList<double>? revealedFractions = null)
    {
        bool Want(string name) => wanted.Count == 0 || wanted.Contains(name);
        var list = new List<EvalPolicy>();
        if (Want("mixllm"))
        {
            list.Add(new ScoredPolicy("mixllm", () => mix.Predictor(), mix.Alpha, latencyAware: true));
        }

        if (Want("mixllm-notags"))
        {
            list.Add(new ScoredPolicy("mixllm-notags", () => mix.Predictor(useTags: false), mix.Alpha, latencyAware: true));
        }

        // Harness-only: the engine's quality blended with an inferred-task kNN estimate; the gateway does not run this.
        if (Want("mixllm+knn") && mix.KnnWeight > 0)
        {
            list.Add(new ScoredPolicy("mixllm+knn", () => mix.Predictor(useKnn: true), mix.Alpha, latencyAware: true));
        }

        if (Want("mixllm-nobonus") && mix.Alpha > 0)
        {
            list.Add(new ScoredPolicy("mixllm-nobonus", () => mix.Predictor(), 0, latencyAware: true));
        }

        if (Want("mixllm-nolatency") && timeLimited)
        {
            list.Add(new ScoredPolicy("mixllm-nolatency", () => mix.Predictor(), mix.Alpha, latencyAware: false));
        }

        // Verifier cascades on the mixllm router (they need recorded responses; the pipeline drops them otherwise).
        foreach (var (name, probe) in new[] { ("cascade", false), ("cascade+probe", true) }.Where(c => Want(c.Item1)))
        {
            list.Add(new CascadePolicy(name, new ScoredPolicy(name + " router", () => mix.Predictor(), mix.Alpha, latencyAware: false),
                new AnswerVerifierOptions { Seed = seed }, probe, firstLambdaFactor: 1));
        }

        if (Want("knn"))
        {
            list.Add(new ScoredPolicy("knn", () => new KnnPredictor(50), 0, latencyAware: false));
        }

        if (Want("mlp"))
        {
            list.Add(new ScoredPolicy("mlp", () => new MlpPredictor(seed, mlpEpochs), 0, latencyAware: false));
        }

        if (Want("random"))
        {
            list.Add(FixedPolicy.Random(seed));
        }

        if (Want("cheapest"))
        {
            list.Add(FixedPolicy.Cheapest());
        }

        if (Want("oracle"))
        {
            list.Add(FixedPolicy.Oracle());
        }

        // Bounds that read the test labels: the best task-level router, and how much per-query knowledge a target needs.
        if (Want("task-oracle"))
        {
            list.Add(new TaskOracleBound(0, seed));
        }

        foreach (var f in revealedFractions ?? [])
        {
            list.Add(new TaskOracleBound(f, seed));
        }

        // Single arms are always in: the reference arm's point defines the percentages.
        for (var a = 0; a < armNames.Count; a++)
        {
            list.Add(FixedPolicy.Arm(a, armNames[a]));
        }

        return list;
    }
}
