using System.Collections.Immutable;
using System.Globalization;
using Router.Core.Arms;
using Router.Core.Embedding;
using Router.Core.Latency;
using Router.Core.Routing;

namespace Router.Core.Decision;

/// <summary>
/// The MixLLM routing engine without the encoder: tag-enhanced projection, per-arm predictors, LinUCB, latency
/// penalty, binary-feedback head, and the meta decision (DESIGN.md steps 4-10):
/// <code>score_l = λ·(p̂_l + κ_l·s_l^df) − ĉ_l/c_ref + α·sqrt(zᵀA_l⁻¹z) − β·max(0, t̂_l − t_target)</code>
/// with <c>z = [e; 1]</c> (the projected embedding plus a constant for the intercept).
/// The binary-feedback term κ·s^df (DESIGN.md step 10) is read in quality units and so weighted by λ like p̂: added
/// unweighted it outweighs the whole cost scale at small λ, and thumbs (mostly "up" for whatever was chosen) would
/// override the budget (measured with `router simulate`: 0% of decisions within budget).
/// </summary>
/// <remarks>
/// <para><b>c_ref</b> (<see cref="CostReference"/>): the mean predicted cost per query of the most expensive arm over the
/// training set, fixed at training time and stored in the checkpoint, so that λ means the same thing whatever the
/// prices ("λ = 1: a gain of 0.1 in quality is worth 10% of what the dearest arm typically costs"). When it is 0
/// (an untrained engine) the most expensive candidate's predicted cost for the query is used instead.</para>
/// <para><b>Thread-safety</b>: decisions read an immutable snapshot without locking; <see cref="Apply"/> serialises
/// writers, updates copies and publishes a new snapshot (copy-on-write). Folding the same events in the same order
/// gives bit-identical state (<see cref="StateHash"/>): updates use scalar loops in a fixed order.</para>
/// </remarks>
public sealed partial class MixLlmEngine
{
    /// <summary>Tag that fixes a cold arm's prior quality, e.g. <c>prior-quality=0.85</c>.</summary>
    public const string PriorQualityTag = "prior-quality=";

    // Candidate counts up to this keep the per-decision scratch (predictions, ranking) on the stack.
    private const int StackArmLimit = 64;

    private readonly Lock _writeLock = new();
    private ImmutableDictionary<string, ArmModel> _arms;
    private long _eventsApplied;

    internal MixLlmEngine(
        string encoderId, int inputDimension, ProjectionHead? head, double costReference, MixLlmEngineOptions options,
        IEnumerable<ArmModel> arms, long eventsApplied, TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(encoderId);
        if (head is not null && head.InputDimension != inputDimension)
        {
            throw new ArgumentException("The head's input dimension differs from the encoder's.", nameof(head));
        }

        ArgumentNullException.ThrowIfNull(options);

        // ρ and ε are divisors (A = ρI, κ = 1/(Var + ε)); NaN fails both checks. With ε = 0, an arm whose feedback
        // scores have no variance yet (one thumb, or the head switched off by η = 0) would score 0/0 = NaN.
        if (!(options.Rho > 0) || !double.IsFinite(options.Rho))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Rho, "Rho must be positive and finite.");
        }

        if (!(options.FeedbackEpsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FeedbackEpsilon, "FeedbackEpsilon must be positive.");
        }

        EncoderId = encoderId;
        InputDimension = inputDimension;
        Head = head;
        CostReference = costReference;
        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _arms = arms.ToImmutableDictionary(a => a.Name, StringComparer.Ordinal);
        _eventsApplied = eventsApplied;
    }

    /// <summary>
    /// An engine that knows no arms yet (every arm starts cold). <paramref name="head"/> null: the encoder output is
    /// used as is (then the LinUCB matrices are (d+1)², which is slow for d = 384; train a head).
    /// </summary>
    public static MixLlmEngine CreateUntrained(
        string encoderId, int inputDimension, ProjectionHead? head = null, MixLlmEngineOptions? options = null,
        double costReference = 0, TimeProvider? timeProvider = null) =>
        new(encoderId, inputDimension, head, costReference, options ?? new MixLlmEngineOptions(), [], 0, timeProvider);

    /// <summary>
    /// The engine to start with when no checkpoint exists: a seeded random projection head
    /// (<paramref name="inputDimension"/> → <paramref name="headDimension"/>, default 64) and no arm state, so every
    /// arm starts from its cold-start prior and LinUCB explores; feedback then trains it online.
    /// </summary>
    public static MixLlmEngine CreateDefault(string encoderId, int inputDimension, int headDimension = 64, MixLlmEngineOptions? options = null, TimeProvider? timeProvider = null)
    {
        var head = headDimension > 0 && headDimension < inputDimension ? ProjectionHead.Random(inputDimension, headDimension, seed: 1) : null;
        return CreateUntrained(encoderId, inputDimension, head, options, 0, timeProvider);
    }

    /// <summary><see cref="ITextEncoder.ModelId"/> of the encoder the engine was trained on.</summary>
    public string EncoderId { get; }

    /// <summary>Length of the encoder output.</summary>
    public int InputDimension { get; }

    /// <summary>The tag-enhanced projection head; null for none.</summary>
    public ProjectionHead? Head { get; }

    /// <summary>Length of the engine's embeddings (head output): what events and <see cref="RoutingDecision.Embedding"/> carry.</summary>
    public int EmbeddingDimension => Head?.OutputDimension ?? InputDimension;

    /// <summary>Length of <c>z = [e; 1]</c>.</summary>
    public int FeatureDimension => EmbeddingDimension + 1;

    /// <summary>c_ref in USD (see remarks); 0 = per-query maximum over the candidates.</summary>
    public double CostReference { get; }

    /// <summary>The learning and decision constants.</summary>
    public MixLlmEngineOptions Options { get; }

    /// <summary>Clock for the latency statistics' decay.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Requests in flight per arm (local to this replica; the gateway feeds it).</summary>
    public ArmLoadTracker InFlight { get; } = new();

    /// <summary>Arms with learned state, sorted by name.</summary>
    public IReadOnlyList<string> Arms => [.. Volatile.Read(ref _arms).Keys.Order(StringComparer.Ordinal)];

    /// <summary>Events folded in since training.</summary>
    public long EventsApplied => Interlocked.Read(ref _eventsApplied);

    /// <summary>A new engine with the same head, options and c_ref whose state has <paramref name="model"/> set (others untouched).</summary>
    internal MixLlmEngine WithArm(ArmModel model) =>
        new(EncoderId, InputDimension, Head, CostReference, Options, Volatile.Read(ref _arms).SetItem(model.Name, model).Values, EventsApplied, TimeProvider);

    /// <summary>Applies the head to an encoder output: <paramref name="embedding"/> gets <see cref="EmbeddingDimension"/> floats.</summary>
    public void Project(ReadOnlySpan<float> encoderOutput, Span<float> embedding)
    {
        if (Head is null)
        {
            encoderOutput.CopyTo(embedding);
            return;
        }

        Head.Project(encoderOutput, embedding);
    }

    /// <summary>
    /// Scores every candidate (in candidate order) for the query. Batch-friendly: no encoder, no allocation beyond
    /// the result. Arms over <see cref="RoutingPolicy.TimeLimitSeconds"/> get an <see cref="ArmScore.ExcludedReason"/>.
    /// </summary>
    /// <param name="embedding">The projected embedding.</param>
    /// <param name="promptTokens">Prompt tokens, for the cost.</param>
    /// <param name="candidates">The arms.</param>
    /// <param name="policy">λ, α, β and limits.</param>
    /// <param name="personalTerms">Optional per-candidate personal terms t_ua (quality units; λ·t is added); empty: none.</param>
    public ArmScore[] Score(ReadOnlySpan<float> embedding, int promptTokens, IReadOnlyList<ArmDefinition> candidates, RoutingPolicy policy,
        ReadOnlySpan<double> personalTerms = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Span<ArmPrediction> predictions = candidates.Count <= StackArmLimit ? stackalloc ArmPrediction[candidates.Count] : new ArmPrediction[candidates.Count];
        return ScoreCore(embedding, promptTokens, candidates, policy, predictions, personalTerms);
    }

    /// <summary>Scores into a new array and leaves each candidate's predictions in <paramref name="predictions"/> (candidate order).</summary>
    private ArmScore[] ScoreCore(ReadOnlySpan<float> embedding, int promptTokens, IReadOnlyList<ArmDefinition> candidates, RoutingPolicy policy,
        Span<ArmPrediction> predictions, ReadOnlySpan<double> personalTerms)
    {
        ArgumentNullException.ThrowIfNull(policy);
        CheckEmbedding(embedding);
        if (!personalTerms.IsEmpty && personalTerms.Length != candidates.Count)
        {
            throw new ArgumentException($"Expected {candidates.Count} personal terms (one per candidate), got {personalTerms.Length}.", nameof(personalTerms));
        }

        // policy.Over(RoutingPolicy.Default) field by field, without allocating a merged policy per request.
        var defaults = RoutingPolicy.Default;
        var lambda = policy.Lambda ?? defaults.Lambda ?? 1;
        var alpha = policy.Alpha ?? defaults.Alpha ?? 0;
        var beta = policy.Beta ?? defaults.Beta ?? 0;
        var targetLatency = policy.TargetLatencySeconds ?? defaults.TargetLatencySeconds;
        var timeLimit = policy.TimeLimitSeconds ?? defaults.TimeLimitSeconds;
        var arms = Volatile.Read(ref _arms);
        Span<double> z = stackalloc double[FeatureDimension];
        Features(embedding, z);

        var maxCost = 0.0;
        for (var i = 0; i < candidates.Count; i++)
        {
            predictions[i] = PredictCore(arms, candidates[i], z, promptTokens, candidates);
            maxCost = Math.Max(maxCost, predictions[i].CostUsd);
        }

        var reference = CostReference > 0 ? CostReference : maxCost > 0 ? maxCost : 1;
        var scores = new ArmScore[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var p = predictions[i];
            var bonus = alpha * p.Uncertainty;
            var penalty = targetLatency is { } target ? LatencyEstimate.Penalty(p.ExpectedSeconds, beta, target) : 0;
            var feedbackTerm = lambda * p.FeedbackTerm;   // κ·s^df in quality units (see the class remarks)
            // The personal term is a correction to p̂ for this user (docs/personalisation.md), so λ weighs it like p̂.
            var personalTerm = personalTerms.IsEmpty ? 0 : lambda * personalTerms[i];
            var score = (lambda * p.Quality) - (p.CostUsd / reference) + bonus - penalty + feedbackTerm + personalTerm;
            string? excluded = timeLimit is { } limit && p.ExpectedSeconds > limit
                ? string.Create(CultureInfo.InvariantCulture, $"expected {p.ExpectedSeconds:0.##} s exceeds the {limit:0.##} s limit")
                : null;
            scores[i] = new ArmScore(candidates[i].Name, p.Quality, p.CostUsd, bonus, penalty, feedbackTerm, score, excluded, personalTerm);
        }

        return scores;
    }

    /// <summary>
    /// The meta decision: scores, ranks eligible arms best first (ties by name), breaks near-ties (within
    /// <see cref="MixLlmEngineOptions.TieTolerance"/>) by a draw seeded with the request id, and reports the chosen
    /// arm's propensity. When every arm is over the time limit, all are ranked by expected time (fastest first).
    /// </summary>
    /// <param name="requestId">Seeds the near-tie draw.</param>
    /// <param name="embedding">The projected embedding.</param>
    /// <param name="promptTokens">Prompt tokens, for the cost.</param>
    /// <param name="candidates">The arms.</param>
    /// <param name="policy">λ, α, β and limits.</param>
    /// <param name="personalTerms">Optional per-candidate personal terms t_ua (quality units; λ·t is added); empty: none.</param>
    public RoutingDecision Decide(string requestId, ReadOnlySpan<float> embedding, int promptTokens, IReadOnlyList<ArmDefinition> candidates, RoutingPolicy policy,
        ReadOnlySpan<double> personalTerms = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("No candidate arms.", nameof(candidates));
        }

        var count = candidates.Count;
        Span<ArmPrediction> predictions = count <= StackArmLimit ? stackalloc ArmPrediction[count] : new ArmPrediction[count];
        var scores = ScoreCore(embedding, promptTokens, candidates, policy, predictions, personalTerms);
        Span<int> order = count <= StackArmLimit ? stackalloc int[count] : new int[count];
        var eligible = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i].ExcludedReason is null)
            {
                order[eligible++] = i;
            }
        }

        var propensity = 1.0;
        if (eligible == 0)
        {
            // Everything is too slow: degrade to "fastest first" rather than fail the request.
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            InsertionSort(order, new FastestFirst(predictions, scores));
            eligible = order.Length;
        }
        else
        {
            var ranked = order[..eligible];
            InsertionSort(ranked, new BestScoreFirst(scores));
            var ties = 1;
            while (ties < eligible && scores[ranked[0]].Score - scores[ranked[ties]].Score <= Options.TieTolerance)
            {
                ties++;
            }

            if (ties > 1)
            {
                var pick = (int)(Draw(requestId, Options.Seed) % (ulong)ties);
                (ranked[0], ranked[pick]) = (ranked[pick], ranked[0]);
                propensity = 1.0 / ties;
            }
        }

        var names = new string[eligible];
        for (var i = 0; i < eligible; i++)
        {
            names[i] = scores[order[i]].Arm;
        }

        return new RoutingDecision
        {
            RequestId = requestId,
            RankedArms = names,
            Propensity = propensity,
            Policy = "mixllm",
            Scores = scores,
            Embedding = embedding.ToArray(),
            Lambda = policy.Lambda ?? RoutingPolicy.Default.Lambda,
        };
    }

    /// <summary>
    /// Sorts candidate indices in place. Insertion sort because candidate lists are short (tens of arms) and, unlike
    /// <c>Span.Sort</c> with a comparison, it allocates nothing (no delegate, no boxed comparer) on the request path.
    /// Both comparers are total orders (ties broken by arm name), so the result is the one any sort gives.
    /// </summary>
    private static void InsertionSort<TComparer>(Span<int> order, TComparer comparer)
        where TComparer : struct, IComparer<int>, allows ref struct
    {
        for (var i = 1; i < order.Length; i++)
        {
            var item = order[i];
            var j = i - 1;
            while (j >= 0 && comparer.Compare(order[j], item) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = item;
        }
    }

    /// <summary>Highest score first, ties by arm name (ordinal).</summary>
    private readonly struct BestScoreFirst(ArmScore[] scores) : IComparer<int>
    {
        public int Compare(int a, int b) => scores[a].Score != scores[b].Score
            ? scores[b].Score.CompareTo(scores[a].Score)
            : string.CompareOrdinal(scores[a].Arm, scores[b].Arm);
    }

    /// <summary>Shortest expected time first, ties by arm name (ordinal).</summary>
    private readonly ref struct FastestFirst(ReadOnlySpan<ArmPrediction> predictions, ArmScore[] scores) : IComparer<int>
    {
        private readonly ReadOnlySpan<ArmPrediction> _predictions = predictions;

        public int Compare(int a, int b) => _predictions[a].ExpectedSeconds != _predictions[b].ExpectedSeconds
            ? _predictions[a].ExpectedSeconds.CompareTo(_predictions[b].ExpectedSeconds)
            : string.CompareOrdinal(scores[a].Arm, scores[b].Arm);
    }

    /// <summary>A 64-bit draw from (seed, request id): FNV-1a over the UTF-16 code units, then the SplitMix64 finaliser.
    /// Stable across processes (unlike string.GetHashCode), so a decision's propensity can be reproduced.</summary>
    internal static ulong Draw(string requestId, int seed)
    {
        var hash = 14695981039346656037UL ^ (ulong)(uint)seed;
        foreach (var c in requestId)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        hash += 0x9E3779B97F4A7C15UL;
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }
}
