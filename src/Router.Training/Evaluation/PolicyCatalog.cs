using Router.Training.Prediction;

namespace Router.Training.Evaluation;

/// <summary>
/// The policies <c>router evaluate</c> compares, and the MixLLM settings chosen by cross-validation
/// (<c>router cv</c> on the shared RouterBench train files; see README "Results").
/// </summary>
internal static class PolicyCatalog
{
    /// <summary>MixLLM settings (the defaults are the cross-validated choice).</summary>
    internal sealed record MixLlmSettings
    {
        public double Alpha { get; init; } = 0.05;

        public double Rho { get; init; } = 1;

        public double TagScale { get; init; } = 1;

        public double KnnWeight { get; init; } = 0.5;

        public int KnnK { get; init; } = 50;

        public LinUcbRidgePredictor Predictor(bool useTags = true) => new()
        {
            Rho = Rho,
            UseTags = useTags,
            TagScale = TagScale,
            KnnWeight = KnnWeight,
            KnnK = KnnK,
        };
    }

    public static IReadOnlyList<string> All { get; } =
        ["mixllm", "mixllm-notags", "mixllm-nobonus", "mixllm-nolatency", "knn", "mlp", "random", "cheapest", "oracle", "arms"];

    public static List<EvalPolicy> Create(IReadOnlyList<string> armNames, IReadOnlyCollection<string> wanted, MixLlmSettings mix,
        bool timeLimited, int seed, int mlpEpochs)
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

        if (Want("mixllm-nobonus") && mix.Alpha > 0)
        {
            list.Add(new ScoredPolicy("mixllm-nobonus", () => mix.Predictor(), 0, latencyAware: true));
        }

        if (Want("mixllm-nolatency") && timeLimited)
        {
            list.Add(new ScoredPolicy("mixllm-nolatency", () => mix.Predictor(), mix.Alpha, latencyAware: false));
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

        // Single arms are always in: the reference arm's point defines the percentages.
        for (var a = 0; a < armNames.Count; a++)
        {
            list.Add(FixedPolicy.Arm(a, armNames[a]));
        }

        return list;
    }
}
