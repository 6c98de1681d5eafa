using Router.Core.Arms;
using Router.Training.Data;

namespace Router.Training.Evaluation;

/// <summary>
/// A data set laid out for fast evaluation: row-major embeddings, quality/cost/length matrices (queries × arms,
/// NaN where missing), prompt tokens and tasks. Costs missing from the source are priced from the arm definitions:
/// prompt tokens × input price + completion tokens × output price, with the arm's mean completion length where a
/// row has none.
/// </summary>
internal sealed class EvalSet
{
    private EvalSet(RoutingDataset data, float[] embeddings, int dimension, IReadOnlyList<ArmDefinition> arms)
    {
        Data = data;
        Embeddings = embeddings;
        Dimension = dimension;
        Arms = arms;
        N = data.Queries.Count;
        K = data.Arms.Count;
        Quality = new double[N * K];
        Cost = new double[N * K];
        CompletionTokens = new double[N * K];
        PromptTokens = new int[N];
        Tasks = new string[N];
        Array.Fill(Quality, double.NaN);
        Array.Fill(Cost, double.NaN);
        Array.Fill(CompletionTokens, double.NaN);
    }

    public RoutingDataset Data { get; }

    public float[] Embeddings { get; }

    public int Dimension { get; }

    public IReadOnlyList<ArmDefinition> Arms { get; }

    public int N { get; }

    public int K { get; }

    /// <summary>Quality[i * K + a]; NaN when arm a has no outcome for query i.</summary>
    public double[] Quality { get; }

    /// <summary>Actual cost in USD, Cost[i * K + a].</summary>
    public double[] Cost { get; }

    /// <summary>Completion tokens, CompletionTokens[i * K + a].</summary>
    public double[] CompletionTokens { get; }

    public int[] PromptTokens { get; }

    public string[] Tasks { get; }

    public ReadOnlySpan<float> Embedding(int i) => Embeddings.AsSpan(i * Dimension, Dimension);

    /// <summary>Embeddings of the recorded answers, row (i·K + a) × Dimension (zeros where none was embedded); null until <see cref="AttachAnswerEmbeddings"/>.</summary>
    public float[]? AnswerEmbeddings { get; private set; }

    /// <summary>The embedding of arm <paramref name="a"/>'s recorded answer to query <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> AnswerEmbedding(int i, int a) => AnswerEmbeddings.AsSpan((i * K + a) * Dimension, Dimension);

    /// <summary>The recorded answer of arm <paramref name="a"/> to query <paramref name="i"/>, or null.</summary>
    public string? Response(int i, int a) => Data.Queries[i].Outcomes[a]?.Response;

    /// <summary>Sets <see cref="AnswerEmbeddings"/> (N·K·Dimension floats).</summary>
    public void AttachAnswerEmbeddings(float[] embeddings)
    {
        if (embeddings.Length != N * K * Dimension)
        {
            throw new ArgumentException($"answer embeddings: {embeddings.Length} floats for {N}×{K}×{Dimension}", nameof(embeddings));
        }

        AnswerEmbeddings = embeddings;
    }

    public bool Has(int i, int a) => !double.IsNaN(Quality[i * K + a]);

    /// <summary>Builds the matrices; <paramref name="arms"/> must be aligned with <c>data.Arms</c>.</summary>
    public static EvalSet Create(RoutingDataset data, float[] embeddings, int dimension, IReadOnlyList<ArmDefinition> arms)
    {
        var set = new EvalSet(data, embeddings, dimension, arms);
        var meanLen = new double[set.K];
        for (var a = 0; a < set.K; a++)
        {
            var lens = data.Queries.Select(q => q.Outcomes[a]?.CompletionTokens).Where(l => l is not null).Select(l => (double)l!.Value).ToList();
            meanLen[a] = lens.Count > 0 ? lens.Average() : DefaultCompletionTokens;
        }

        for (var i = 0; i < set.N; i++)
        {
            var q = data.Queries[i];
            set.PromptTokens[i] = q.PromptTokens;
            set.Tasks[i] = q.Task;
            for (var a = 0; a < set.K; a++)
            {
                if (q.Outcomes[a] is not { } o)
                {
                    continue;
                }

                var len = o.CompletionTokens ?? CompletionTokensFromCost(o, arms[a]) ?? meanLen[a];
                set.Quality[i * set.K + a] = o.Quality;
                set.CompletionTokens[i * set.K + a] = len;
                set.Cost[i * set.K + a] = o.CostUsd ?? arms[a].CostUsd(o.PromptTokens, len);
            }
        }

        return set;
    }

    /// <summary>
    /// Completion tokens implied by a recorded cost and the arm's prices: (cost − prompt tokens × input price) / output
    /// price; null when there is no cost or no output price, or the result is negative.
    /// </summary>
    public static double? CompletionTokensFromCost(ArmOutcome outcome, ArmDefinition arm)
    {
        if (outcome.CostUsd is not { } cost || arm.OutputPricePerMillion <= 0)
        {
            return null;
        }

        var tokens = (cost * 1_000_000 - outcome.PromptTokens * arm.InputPricePerMillion) / arm.OutputPricePerMillion;
        return tokens >= 0 ? tokens : null;
    }

    /// <summary>Completion length assumed for an arm with no recorded lengths at all (score-only data sets).</summary>
    public const double DefaultCompletionTokens = 256;

    /// <summary>Indices of the rows where every arm has an outcome (the test rows a fair comparison can use).</summary>
    public int[] CompleteRows() => Enumerable.Range(0, N).Where(i => Enumerable.Range(0, K).All(a => Has(i, a))).ToArray();

    /// <summary>A subset of rows (embeddings copied).</summary>
    public EvalSet Subset(IReadOnlyList<int> rows)
    {
        var emb = new float[rows.Count * Dimension];
        for (var r = 0; r < rows.Count; r++)
        {
            Embedding(rows[r]).CopyTo(emb.AsSpan(r * Dimension, Dimension));
        }

        var set = new EvalSet(Data.WithQueries(rows.Select(i => Data.Queries[i])), emb, Dimension, Arms);
        for (var r = 0; r < rows.Count; r++)
        {
            var i = rows[r];
            set.PromptTokens[r] = PromptTokens[i];
            set.Tasks[r] = Tasks[i];
            Array.Copy(Quality, i * K, set.Quality, r * K, K);
            Array.Copy(Cost, i * K, set.Cost, r * K, K);
            Array.Copy(CompletionTokens, i * K, set.CompletionTokens, r * K, K);
        }

        if (AnswerEmbeddings is { } answers)
        {
            var rowsOut = new float[rows.Count * K * Dimension];
            for (var r = 0; r < rows.Count; r++)
            {
                Array.Copy(answers, rows[r] * K * Dimension, rowsOut, r * K * Dimension, K * Dimension);
            }

            set.AnswerEmbeddings = rowsOut;
        }

        return set;
    }

    /// <summary>Mean of the observed values of column <paramref name="a"/> of <paramref name="matrix"/>.</summary>
    public double ColumnMean(double[] matrix, int a)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < N; i++)
        {
            var v = matrix[i * K + a];
            if (!double.IsNaN(v))
            {
                sum += v;
                n++;
            }
        }

        return n > 0 ? sum / n : double.NaN;
    }
}
