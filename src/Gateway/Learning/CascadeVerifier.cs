using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Verification;

namespace Router.Gateway.Learning;

/// <summary>
/// The gateway's side of the answer verifier: the current engine's <see cref="MixLlmEngine.Verifier"/> (from the
/// checkpoint; a snapshot restore swaps it with the engine) applied to an upstream's answer. The query and the answer
/// are embedded with the router's own encoder, raw (before the head), as the verifier was trained
/// (<see cref="AnswerFeatures"/>). Thread-safe.
/// </summary>
public sealed class CascadeVerifier(LearnedState state, ITextEncoder encoder, IQueryEncoder? queries = null)
{
    /// <summary>The verifier in force, or null when the checkpoint has none.</summary>
    public AnswerVerifier? Verifier => state.Engine.Verifier;

    /// <summary>c_ref of the engine in USD; 0 = the per-query maximum predicted cost (as the engine's score).</summary>
    public double CostReference => state.Engine.CostReference;

    /// <summary>Whether the encoder is the one the engine (and its verifier) was trained with.</summary>
    public bool EncoderMatches => state.Router.EncoderMatches;

    /// <summary>The engine's encoder id (what the verifier was trained on).</summary>
    public string EngineEncoderId => state.Engine.EncoderId;

    /// <summary>The gateway's encoder id.</summary>
    public string EncoderId => encoder.ModelId;

    /// <summary>Whether the verifier can score answers of <paramref name="arm"/>.</summary>
    public bool Knows(string arm) => Verifier is { } v && v.ArmIndex(arm) >= 0;

    /// <summary>
    /// p(the answer is right) for <paramref name="answerText"/> (<paramref name="answerTokens"/> completion tokens)
    /// given by <paramref name="arm"/> to <paramref name="queryText"/>; null when there is no verifier or it does not
    /// know the arm.
    /// </summary>
    public async ValueTask<double?> ProbabilityAsync(string queryText, string arm, string answerText, int answerTokens, CancellationToken cancellationToken)
    {
        if (Verifier is not { } verifier || verifier.ArmIndex(arm) < 0 || verifier.EmbeddingDimension != encoder.Dimension)
        {
            return null;
        }

        var query = new float[encoder.Dimension];
        var answer = new float[encoder.Dimension];
        if (queries is not null)
        {
            // The router embedded this query moments ago: the hot-path encoder's cache usually answers.
            await queries.EncodeAsync(queryText, query, cancellationToken);
        }
        else
        {
            encoder.Encode([queryText], query, cancellationToken);
        }

        encoder.Encode([answerText], answer, cancellationToken);
        return verifier.Probability(query, answer, arm, answerText, answerTokens);
    }
}
