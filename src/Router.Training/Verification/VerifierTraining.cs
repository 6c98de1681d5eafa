using Router.Core.Embedding;
using Router.Core.Verification;
using Router.Training.Embeddings;
using Router.Training.Evaluation;

namespace Router.Training.Verification;

/// <summary>
/// Trains the <see cref="AnswerVerifier"/> from a training set's recorded responses (only those: no test row is read)
/// and embeds the answers it needs. The verifier knows every arm except the dearest (by mean training cost): that arm
/// is the top of every cascade and is never second-guessed. The probe, a second cheap answer, is the cheapest arm's
/// (the second cheapest's for the cheapest arm itself); a seeded half of the rows carries it, so one model serves
/// cascades that buy a probe and cascades that do not.
/// </summary>
internal static class VerifierTraining
{
    /// <summary>Arms the verifier judges (all but the dearest), in data order.</summary>
    public static int[] VerifiedArms(EvalSet train)
    {
        var dearest = Enumerable.Range(0, train.K).MaxBy(a => train.ColumnMean(train.Cost, a) is var c && double.IsFinite(c) ? c : double.MinValue);
        return Enumerable.Range(0, train.K).Where(a => a != dearest).ToArray();
    }

    /// <summary>The probe arm for a first arm: the cheapest other verified arm by mean training cost; -1 when there is none (a pair).</summary>
    public static int ProbeFor(EvalSet train, int[] verified, int first) =>
        verified.Where(a => a != first).DefaultIfEmpty(-1).MinBy(a => a < 0 ? 0 : Finite(train.ColumnMean(train.Cost, a)));

    /// <summary>True when some verified arm of <paramref name="set"/> has a recorded response.</summary>
    public static bool HasResponses(EvalSet set, int[] verified) =>
        Enumerable.Range(0, set.N).Any(i => verified.Any(a => set.Response(i, a) is not null));

    /// <summary>Embeds every recorded response of the verified arms (others stay zero) and attaches them to <paramref name="set"/>.</summary>
    public static void EmbedAnswers(EvalSet set, int[] verified, ITextEncoder encoder, CancellationToken cancellationToken)
    {
        var cells = new List<(int I, int A)>();
        for (var i = 0; i < set.N; i++)
        {
            cells.AddRange(verified.Where(a => set.Response(i, a) is not null).Select(a => (i, a)));
        }

        var emb = EncoderFactory.EmbedAll(encoder, cells.Select(c => set.Response(c.I, c.A)!).ToList(), "answers", cancellationToken);
        var d = set.Dimension;
        var all = new float[set.N * set.K * d];
        for (var c = 0; c < cells.Count; c++)
        {
            emb.AsSpan(c * d, d).CopyTo(all.AsSpan(((cells[c].I * set.K) + cells[c].A) * d, d));
        }

        set.AttachAnswerEmbeddings(all);
    }

    /// <summary>Fits the verifier on <paramref name="train"/>'s recorded answers of the verified arms.</summary>
    public static AnswerVerifier Fit(EvalSet train, int[] verified, AnswerVerifierOptions options, CancellationToken cancellationToken)
    {
        var names = verified.Select(a => train.Data.Arms[a]).ToList();
        var width = AnswerFeatures.Length(train.Dimension, verified.Length);
        var rows = new List<(int I, int V)>();
        for (var i = 0; i < train.N; i++)
        {
            for (var v = 0; v < verified.Length; v++)
            {
                if (train.Has(i, verified[v]) && train.Response(i, verified[v]) is not null)
                {
                    rows.Add((i, v));
                }
            }
        }

        var probes = verified.Select(a => ProbeFor(train, verified, a)).ToArray();
        var coin = new Random(options.Seed);
        var x = new double[rows.Count * width];
        var y = new double[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (i, v) = rows[r];
            var a = verified[v];
            var probe = coin.NextDouble() < 0.5 && probes[v] >= 0 ? train.Response(i, probes[v]) : null;
            Write(train, i, a, v, verified.Length, probe, x.AsSpan(r * width, width));
            y[r] = train.Quality[(i * train.K) + a];
        }

        return AnswerVerifier.Fit(names, train.Dimension, x, y, options);
    }

    /// <summary>The verifier's features of arm <paramref name="a"/> (verified index <paramref name="v"/>) on row <paramref name="i"/>.</summary>
    public static void Write(EvalSet set, int i, int a, int v, int verifiedCount, string? probe, Span<double> destination) =>
        AnswerFeatures.Write(set.Embedding(i), set.AnswerEmbedding(i, a), v, verifiedCount, set.Response(i, a),
            set.CompletionTokens[(i * set.K) + a], probe, destination);

    private static double Finite(double x) => double.IsFinite(x) ? x : double.MaxValue;
}
