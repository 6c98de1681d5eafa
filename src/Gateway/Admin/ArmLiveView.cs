using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Router.Core.DependencyInjection;
using Router.Core.Latency;
using Router.Gateway.OpsConsole;
using Router.Gateway.Resilience;

namespace Router.Gateway.Admin;

/// <summary>
/// What <c>GET /admin/arms</c> adds beside the registry entries (kept apart from them so a listed arm can still be
/// POSTed back): per arm, requests in flight on this replica (<see cref="ArmLoadTracker"/>), the circuit state as
/// routing sees it (<see cref="ArmResilience.StateOf"/>: an open circuit whose break has elapsed reads half-open), and
/// the engine's mean predicted quality over the validation prompts of <see cref="PolicyFrontier"/>.
/// </summary>
/// <param name="Name">The arm.</param>
/// <param name="InFlight">Requests to the arm in flight on this replica; null on a gateway without the engine (nothing counts them).</param>
/// <param name="Circuit"><c>closed</c>, <c>half-open</c>, <c>open</c> or <c>isolated</c>.</param>
/// <param name="CircuitRetryInSeconds">While open: seconds until the next request is let through as the trial; else null.</param>
/// <param name="PredictedQuality">Mean predicted quality over the validation prompts; null without a checkpoint or for an arm routing does not score (disabled, embeddings).</param>
public sealed record ArmLiveView(string Name, int? InFlight, string Circuit, double? CircuitRetryInSeconds, double? PredictedQuality)
{
    /// <summary>The live view of <paramref name="arms"/>, and where the predictions come from.</summary>
    public static async Task<(IReadOnlyList<ArmLiveView> Live, ArmPredictionsView Predictions)> BuildAsync(
        IReadOnlyList<string> arms, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(services);
        var resilience = services.GetRequiredService<ArmResilience>();
        var load = services.GetService<ArmLoadTracker>();

        // A checkpoint holds no validation queries, so the means are over PolicyFrontier's shipped prompt set. An engine
        // that started untrained predicts its cold-start priors, learned from no validation data: then there is no
        // predicted quality to show (the page says "no checkpoint"), and the 48 encoder runs are skipped.
        var checkpoint = services.GetService<IOptions<MixLlmOptions>>()?.Value.CheckpointPath;
        var frontier = checkpoint is null ? null : services.GetService<PolicyFrontier>();
        var view = frontier is null ? null : await frontier.ComputeAsync(cancellationToken);
        var quality = view?.Arms.ToDictionary(a => a.Arm, a => a.PredictedQuality, StringComparer.Ordinal) ?? [];
        var live = arms.Select(name =>
        {
            var state = resilience.StateOf(name);
            var retry = state == CircuitState.Open ? Math.Round(resilience.RemainingBreak(name).TotalSeconds, 1) : (double?)null;
            return new ArmLiveView(name, load?.InFlight(name), StateName(state), retry,
                quality.TryGetValue(name, out var q) ? Math.Round(q, 4) : null);
        }).ToArray();
        var predictions = new ArmPredictionsView(checkpoint is null ? null : Path.GetFileName(checkpoint), view?.Prompts ?? 0, view?.PromptSet);
        return (live, predictions);
    }

    private static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Open => "open",
        _ => "isolated",
    };
}

/// <summary>Where the predicted quality of <see cref="ArmLiveView"/> comes from.</summary>
/// <param name="Checkpoint">File name of the checkpoint the engine loaded at start; null when it started untrained.</param>
/// <param name="Prompts">How many validation prompts the means are over (0 without a checkpoint).</param>
/// <param name="PromptSet">The validation prompt set; null without a checkpoint.</param>
public sealed record ArmPredictionsView(string? Checkpoint, int Prompts, string? PromptSet);
