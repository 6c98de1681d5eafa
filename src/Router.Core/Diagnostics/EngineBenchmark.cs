using System.Diagnostics;
using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Learning;
using Router.Core.Routing;

namespace Router.Core.Diagnostics;

/// <summary>
/// The decision-path figures behind <c>router bench</c> and the BenchmarkDotNet project: encoder latency for short
/// queries and decision latency (head + scoring + ranking) for a warm synthetic engine, on the calling thread.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>Short chat-style queries (each at most 32 tokens with [CLS]/[SEP]).</summary>
    public static IReadOnlyList<string> ShortQueries { get; } =
    [
        "What is the capital of Australia?",
        "Write a haiku about autumn rain.",
        "How do I reverse a linked list in Python?",
        "Explain the difference between TCP and UDP in one paragraph.",
        "Translate 'good morning, how are you?' into French.",
        "Is 391 a prime number?",
        "Summarise the plot of Hamlet in two sentences.",
        "What causes the seasons on Earth?",
        "Give me three ideas for a vegetarian dinner tonight.",
        "Solve for x: 3x + 7 = 22.",
        "Why is the sky blue?",
        "Write a SQL query that counts orders per customer.",
        "What are the side effects of ibuprofen?",
        "Suggest a name for a coffee shop near the sea.",
        "How many bones are in the adult human body?",
        "Fix this error: TypeError: 'NoneType' object is not subscriptable",
    ];

    /// <summary>
    /// Prompts that fill the default 128-token window (each is ten of <see cref="ShortQueries"/> in a row, as a
    /// few-shot prompt is several questions in a row): the encoder's cost at its longest.
    /// </summary>
    public static IReadOnlyList<string> LongQueries { get; } =
        [.. Enumerable.Range(0, ShortQueries.Count).Select(i => string.Join(' ', Enumerable.Range(0, 10).Select(j => ShortQueries[(i + j) % ShortQueries.Count])))];

    /// <summary>
    /// A warm engine with <paramref name="arms"/> arms (spread prices, 20 refined-feedback events each) and a random
    /// <paramref name="inputDimension"/> → <paramref name="headDimension"/> head. Deterministic for a seed.
    /// </summary>
    public static (MixLlmEngine Engine, ArmDefinition[] Arms) CreateSyntheticEngine(int arms = 16, int inputDimension = 384, int headDimension = 64, int seed = 1)
    {
        var random = new Random(seed);
        var weights = new float[headDimension * inputDimension];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)((random.NextDouble() - 0.5) / Math.Sqrt(inputDimension));
        }

        var head = new ProjectionHead(inputDimension, headDimension, weights);
        var engine = MixLlmEngine.CreateUntrained("synthetic", inputDimension, head, costReference: 0.01);
        var definitions = new ArmDefinition[arms];
        for (var a = 0; a < arms; a++)
        {
            definitions[a] = new ArmDefinition
            {
                Name = $"arm-{a:00}",
                InputPricePerMillion = 0.1 * (a + 1),
                OutputPricePerMillion = 0.3 * (a + 1),
                TimeToFirstTokenSeconds = 0.2 + (0.05 * a),
                TokensPerSecond = 120 - (5 * a),
            };
            engine.Apply(new ArmAdded { Arm = definitions[a].Name, InputPricePerMillion = definitions[a].InputPricePerMillion, OutputPricePerMillion = definitions[a].OutputPricePerMillion });
            for (var i = 0; i < 20; i++)
            {
                var e = RandomUnit(random, headDimension);
                engine.Apply(new RefinedFeedback { Arm = definitions[a].Name, Embedding = e, Score = random.NextDouble() });
                engine.Apply(new UsageObserved { Arm = definitions[a].Name, Embedding = e, CompletionTokens = random.Next(20, 600), TimeToFirstTokenSeconds = 0.3, DurationSeconds = 3, At = DateTimeOffset.UnixEpoch });
            }
        }

        return (engine, definitions);
    }

    /// <summary>
    /// Measures <paramref name="encoder"/> on <see cref="ShortQueries"/> (or <see cref="LongQueries"/> when
    /// <paramref name="longQueries"/>; one query per run) and the decision of a synthetic engine with
    /// <paramref name="arms"/> arms whose head takes the encoder's output. Single-threaded.
    /// </summary>
    public static EngineBenchmarkResult Run(MiniLmEncoder encoder, int encoderRuns = 200, int decisions = 20_000, int arms = 16, int headDimension = 64, bool longQueries = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var queries = longQueries ? LongQueries : ShortQueries;
        var raw = new float[queries.Count * encoder.Dimension];
        var tokens = new long[encoder.Options.MaxTokens];
        var lengths = queries.Select(q => encoder.Tokenize(q, tokens)).ToArray();

        // Warm-up: the first runs pay for ONNX Runtime's lazy initialisation.
        for (var i = 0; i < 10; i++)
        {
            encoder.Encode([queries[i % queries.Count]], raw.AsSpan(0, encoder.Dimension), cancellationToken);
        }

        var encoderTimes = new double[encoderRuns];
        for (var i = 0; i < encoderRuns; i++)
        {
            var q = i % queries.Count;
            var start = Stopwatch.GetTimestamp();
            encoder.Encode([queries[q]], raw.AsSpan(q * encoder.Dimension, encoder.Dimension), cancellationToken);
            encoderTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        for (var q = 0; q < queries.Count; q++)
        {
            encoder.Encode([queries[q]], raw.AsSpan(q * encoder.Dimension, encoder.Dimension), cancellationToken);
        }

        var (engine, definitions) = CreateSyntheticEngine(arms, encoder.Dimension, headDimension);
        var decisionTimes = MeasureDecisions(engine, definitions, raw, decisions, cancellationToken);
        return new EngineBenchmarkResult
        {
            EncoderP50Ms = Percentile(encoderTimes, 0.50),
            EncoderP99Ms = Percentile(encoderTimes, 0.99),
            DecisionP50Us = Percentile(decisionTimes, 0.50),
            DecisionP99Us = Percentile(decisionTimes, 0.99),
            Arms = arms,
            Dimension = engine.EmbeddingDimension,
            EncoderDimension = encoder.Dimension,
            Tokens = Math.Round(lengths.Average(), 2),
            MaxTokens = lengths.Max(),
            EncoderRuns = encoderRuns,
            Decisions = decisions,
            Device = $"{(encoder.UsesCuda ? "CUDA" : "CPU")} {encoder.Precision}, {encoder.Options.IntraOpThreads} intra-op thread(s)",
        };
    }

    /// <summary>Times <paramref name="count"/> decisions (head projection + <see cref="MixLlmEngine.Decide"/>), microseconds each.</summary>
    public static double[] MeasureDecisions(MixLlmEngine engine, IReadOnlyList<ArmDefinition> candidates, ReadOnlySpan<float> rawEmbeddings, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var d = engine.InputDimension;
        var rows = rawEmbeddings.Length / d;
        var projected = new float[engine.EmbeddingDimension];
        var policy = new RoutingPolicy { Lambda = 1, Alpha = 0.1, Beta = 0.1, TargetLatencySeconds = 10, TimeLimitSeconds = 60 };
        var ids = Enumerable.Range(0, 64).Select(i => $"bench-{i}").ToArray();
        for (var i = 0; i < 500; i++)
        {
            engine.Project(rawEmbeddings.Slice(i % rows * d, d), projected);
            engine.Decide(ids[i % ids.Length], projected, 30, candidates, policy);
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var start = Stopwatch.GetTimestamp();
            engine.Project(rawEmbeddings.Slice(i % rows * d, d), projected);
            engine.Decide(ids[i % ids.Length], projected, 30, candidates, policy);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return times;
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Length - 1)], 3);
    }

    private static float[] RandomUnit(Random random, int dimension)
    {
        var v = new float[dimension];
        var norm = 0.0;
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
            norm += v[i] * v[i];
        }

        for (var i = 0; i < dimension; i++)
        {
            v[i] /= (float)Math.Sqrt(norm);
        }

        return v;
    }
}
