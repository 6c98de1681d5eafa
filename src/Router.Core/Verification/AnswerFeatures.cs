namespace Router.Core.Verification;

/// <summary>
/// The verifier's input for one (query, arm, answer), laid out as
/// <c>[query embedding (d); answer embedding (d); arm one-hot (K); log(1 + answer tokens)/8; short answer; code;
/// probe bought; agrees with the probe]</c>. The two embeddings come from the router's encoder (the answer embedded as
/// a text of its own); "probe" is a second, cheap answer to the same query, when one was bought (FrugalGPT's scorer
/// sees the query and the answer; AutoMix and answer-consistency cascades add agreement).
/// </summary>
public static class AnswerFeatures
{
    /// <summary>Scalar features after the embeddings and the one-hot.</summary>
    public const int FormCount = 5;

    /// <summary>Length of the feature vector.</summary>
    public static int Length(int embeddingDimension, int arms) => (2 * embeddingDimension) + arms + FormCount;

    /// <summary>Writes the features into <paramref name="destination"/> (<see cref="Length"/> values).</summary>
    /// <param name="query">The query's embedding.</param>
    /// <param name="answer">The answer's embedding.</param>
    /// <param name="arm">Index of the arm that answered, in the verifier's arm list.</param>
    /// <param name="arms">Arms the verifier knows.</param>
    /// <param name="answerText">The answer.</param>
    /// <param name="answerTokens">Completion tokens of the answer.</param>
    /// <param name="probeText">The second cheap answer, or null when none was bought.</param>
    /// <param name="destination">Receives the features.</param>
    public static void Write(ReadOnlySpan<float> query, ReadOnlySpan<float> answer, int arm, int arms, string? answerText, double answerTokens,
        string? probeText, Span<double> destination)
    {
        var d = query.Length;
        if (answer.Length != d || destination.Length != Length(d, arms) || (uint)arm >= (uint)arms)
        {
            throw new ArgumentException("verifier features: wrong shapes");
        }

        for (var i = 0; i < d; i++)
        {
            destination[i] = query[i];
            destination[d + i] = answer[i];
        }

        var o = 2 * d;
        destination.Slice(o, arms).Clear();
        destination[o + arm] = 1;
        o += arms;
        destination[o] = Math.Log(1 + Math.Max(0, answerTokens)) / 8;
        destination[o + 1] = AnswerForm.Short(answerText) is null ? 0 : 1;
        destination[o + 2] = AnswerForm.HasCode(answerText) ? 1 : 0;
        destination[o + 3] = probeText is null ? 0 : 1;
        var mine = AnswerForm.Final(answerText);
        destination[o + 4] = probeText is not null && mine is not null && mine == AnswerForm.Final(probeText) ? 1 : 0;
    }
}
