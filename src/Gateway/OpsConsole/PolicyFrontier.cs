using System.Text.Json;
using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Arms;
using Router.Gateway.Learning;
using Router.Gateway.Usage;

namespace Router.Gateway.OpsConsole;

/// <summary>
/// The quality-versus-cost frontier of the loaded engine, for the console's Policy page. A checkpoint holds the
/// engine's weights and training means but no validation queries, so the frontier is computed over a fixed validation
/// prompt set shipped in this assembly (<c>frontier-prompts.json</c>: 48 questions from the RouterDC train splits of
/// MMLU, GSM8K, HumanEval and ARC-Challenge). Each prompt is encoded once; its per-arm predicted quality q, cost c and
/// feedback term f (at α = β = 0) give the score <c>λ·(q + f) − c/c_ref</c> of MixLlmEngine.PredictAll's doc for any
/// λ, so one pass gives every point. A point is the mean predicted quality and cost of the arms chosen at that λ:
/// predictions of the engine, not measured outcomes. Cached until the engine or the arm catalog changes. Thread-safe.
/// </summary>
public sealed class PolicyFrontier(LearnedState state, IArmCatalog catalog, IArmRegistryStore registry, ITokenCounter tokens)
{
    /// <summary>λ values of the sweep: 0, then 10^-2 … 10^3 in steps of 10^0.25 (21 points).</summary>
    public static readonly IReadOnlyList<double> Lambdas = [0, .. Enumerable.Range(0, 21).Select(i => Math.Round(Math.Pow(10, -2 + (i * 0.25)), 4))];

    private static readonly Lazy<IReadOnlyList<string>> Prompts = new(LoadPrompts);
    private readonly Lock _lock = new();
    private (object Engine, long Events, long Catalog, IReadOnlyList<PromptPredictions> Rows)? _cache;

    /// <summary>The frontier at the λ grid plus the current global λ (marked).</summary>
    public async Task<FrontierView> ComputeAsync(CancellationToken cancellationToken)
    {
        var rows = await PredictAsync(cancellationToken);
        var current = registry.Current.PolicyFor(null).Lambda ?? RoutingPolicy.Default.Lambda ?? 1;
        var cReference = state.Engine.CostReference;
        var points = Lambdas.Append(current).Distinct().Order().Select(lambda => Point(rows, lambda, cReference, lambda == current)).ToArray();
        var arms = rows.Count == 0 ? [] : rows[0].Arms.Select((arm, a) => new FrontierArm(arm, rows.Average(r => r.Quality[a]), rows.Average(r => r.CostUsd[a]))).ToArray();
        return new FrontierView(rows.Count, "frontier-prompts.json (48 RouterDC validation questions: MMLU, GSM8K, HumanEval, ARC-Challenge)", current, points, arms);
    }

    private static FrontierPoint Point(IReadOnlyList<PromptPredictions> rows, double lambda, double cReference, bool isCurrent)
    {
        double quality = 0, cost = 0;
        var shares = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            // c_ref as the engine uses it: the checkpoint's, or the row's largest cost when the checkpoint has none.
            var reference = cReference > 0 ? cReference : Math.Max(1e-12, row.CostUsd.Max());
            var best = 0;
            var bestScore = double.NegativeInfinity;
            for (var a = 0; a < row.Arms.Count; a++)
            {
                var score = (lambda * (row.Quality[a] + row.Feedback[a])) - (row.CostUsd[a] / reference);
                if (score > bestScore)
                {
                    (best, bestScore) = (a, score);
                }
            }

            quality += row.Quality[best];
            cost += row.CostUsd[best];
            shares[row.Arms[best]] = shares.GetValueOrDefault(row.Arms[best]) + 1;
        }

        var n = Math.Max(1, rows.Count);
        return new FrontierPoint(lambda, quality / n, cost / n, isCurrent, shares);
    }

    private async Task<IReadOnlyList<PromptPredictions>> PredictAsync(CancellationToken cancellationToken)
    {
        var router = state.Router;
        var engine = router.Engine;
        lock (_lock)
        {
            if (_cache is { } c && ReferenceEquals(c.Engine, engine) && c.Events == engine.EventsApplied && c.Catalog == catalog.Version)
            {
                return c.Rows;
            }
        }

        var candidates = catalog.Arms.Where(a => a.Enabled && !a.Tags.Contains("embeddings", StringComparer.OrdinalIgnoreCase)).ToList();
        var rows = new List<PromptPredictions>();
        var events = engine.EventsApplied;
        var version = catalog.Version;
        if (candidates.Count > 0)
        {
            var policy = new RoutingPolicy { Lambda = 1, Alpha = 0, Beta = 0 };
            foreach (var prompt in Prompts.Value)
            {
                var decision = await router.RouteAsync(new RoutingRequest
                {
                    RequestId = "frontier",
                    QueryText = prompt,
                    PromptTokens = tokens.CountTokens(prompt),
                    Candidates = candidates,
                    Policy = policy,
                }, cancellationToken);
                var scores = decision.Scores.Where(s => s.ExcludedReason is null).ToArray();
                rows.Add(new PromptPredictions(
                    [.. scores.Select(s => s.Arm)], [.. scores.Select(s => s.PredictedQuality)], [.. scores.Select(s => s.PredictedCostUsd)], [.. scores.Select(s => s.FeedbackTerm)]));
            }
        }

        lock (_lock)
        {
            _cache = (engine, events, version, rows);
        }

        return rows;
    }

    private static IReadOnlyList<string> LoadPrompts()
    {
        using var stream = typeof(PolicyFrontier).Assembly.GetManifestResourceStream("Router.Gateway.OpsConsole.frontier-prompts.json")
            ?? throw new InvalidOperationException("frontier-prompts.json is not embedded in the gateway assembly.");
        using var document = JsonDocument.Parse(stream);
        return [.. document.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("text").GetString()!)];
    }

    private sealed record PromptPredictions(IReadOnlyList<string> Arms, double[] Quality, double[] CostUsd, double[] Feedback);
}

/// <summary>The body of <c>GET /admin/policy/frontier</c>.</summary>
/// <param name="Prompts">How many validation prompts the points average over.</param>
/// <param name="PromptSet">Where they come from.</param>
/// <param name="CurrentLambda">The global λ now in force.</param>
/// <param name="Points">One point per λ, ascending; the current λ has <c>current: true</c>.</param>
/// <param name="Arms">Per arm: mean predicted quality and cost over the prompts.</param>
public sealed record FrontierView(int Prompts, string PromptSet, double CurrentLambda, IReadOnlyList<FrontierPoint> Points, IReadOnlyList<FrontierArm> Arms);

/// <summary>One λ of the frontier.</summary>
/// <param name="Lambda">λ.</param>
/// <param name="PredictedQuality">Mean predicted quality of the chosen arms.</param>
/// <param name="PredictedCostUsd">Mean predicted cost per request of the chosen arms (USD).</param>
/// <param name="Current">Whether this is the λ in force.</param>
/// <param name="Chosen">How many prompts each arm won.</param>
public sealed record FrontierPoint(double Lambda, double PredictedQuality, double PredictedCostUsd, bool Current, IReadOnlyDictionary<string, int> Chosen);

/// <summary>An arm's mean predictions over the validation prompts.</summary>
/// <param name="Arm">Arm.</param>
/// <param name="PredictedQuality">Mean predicted quality.</param>
/// <param name="PredictedCostUsd">Mean predicted cost (USD).</param>
public sealed record FrontierArm(string Arm, double PredictedQuality, double PredictedCostUsd);
