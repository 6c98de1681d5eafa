using Router.Core.Prediction;

namespace Router.Core.Verification;

/// <summary>
/// A learned answer verifier (FrugalGPT's scorer, Chen et al. 2023, §3): P(the answer is right | query, arm, answer)
/// from <see cref="AnswerFeatures"/>, a small MLP (<see cref="MlpRegressor"/>, the router's own trainer: seeded Adam on
/// cross-entropy, so the output is a probability). One model for all the arms it knows (the arm is a one-hot input),
/// so arms with few rows borrow from the others. Immutable; thread-safe.
/// </summary>
public sealed class AnswerVerifier
{
    /// <summary>Feature layout version (<see cref="AnswerFeatures"/>); a checkpoint with another is refused.</summary>
    public const int FeatureVersion = 1;

    private readonly MlpRegressor _model;
    private readonly Dictionary<string, int> _armIndex;

    /// <summary>A verifier from its parts.</summary>
    public AnswerVerifier(IReadOnlyList<string> arms, int embeddingDimension, MlpRegressor model)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(model);
        if (model.Inputs != AnswerFeatures.Length(embeddingDimension, arms.Count))
        {
            throw new ArgumentException($"verifier model has {model.Inputs} inputs, expected {AnswerFeatures.Length(embeddingDimension, arms.Count)}", nameof(model));
        }

        Arms = arms;
        EmbeddingDimension = embeddingDimension;
        _model = model;
        _armIndex = arms.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>Arms the verifier was trained on (in one-hot order).</summary>
    public IReadOnlyList<string> Arms { get; }

    /// <summary>Encoder dimension of the query and answer embeddings.</summary>
    public int EmbeddingDimension { get; }

    /// <summary>The network.</summary>
    public MlpRegressor Model => _model;

    /// <summary>Index of an arm, or -1 when the verifier has not seen it.</summary>
    public int ArmIndex(string arm) => _armIndex.GetValueOrDefault(arm, -1);

    /// <summary>P(correct) for features written by <see cref="AnswerFeatures.Write"/>.</summary>
    public double Probability(ReadOnlySpan<double> features) => _model.Predict(features);

    /// <summary>P(correct) of <paramref name="answerText"/> given by <paramref name="arm"/> to the query; null for an arm it does not know.</summary>
    public double? Probability(ReadOnlySpan<float> query, ReadOnlySpan<float> answer, string arm, string? answerText, double answerTokens, string? probeText = null)
    {
        var a = ArmIndex(arm);
        if (a < 0)
        {
            return null;
        }

        var x = new double[AnswerFeatures.Length(EmbeddingDimension, Arms.Count)];
        AnswerFeatures.Write(query, answer, a, Arms.Count, answerText, answerTokens, probeText, x);
        return Probability(x);
    }

    /// <summary>
    /// Trains on rows of <paramref name="features"/> (<c>labels.Length × AnswerFeatures.Length</c>) with 0/1 (or soft)
    /// correctness labels; deterministic for a seed.
    /// </summary>
    public static AnswerVerifier Fit(IReadOnlyList<string> arms, int embeddingDimension, ReadOnlySpan<double> features, ReadOnlySpan<double> labels,
        AnswerVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var width = AnswerFeatures.Length(embeddingDimension, arms.Count);
        if (features.Length != labels.Length * width)
        {
            throw new ArgumentException("verifier training: features and labels disagree in length", nameof(features));
        }

        var model = MlpRegressor.Fit(features, labels, width, options.Hidden, options.Epochs, options.LearningRate, options.WeightDecay, options.Seed);
        return new AnswerVerifier(arms, embeddingDimension, model);
    }
}
