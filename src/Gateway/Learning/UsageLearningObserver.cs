using Router.Core.Learning;
using Router.Core.State;
using Router.Gateway.Budget;
using Router.Gateway.Decisions;
using Router.Gateway.Usage;

namespace Router.Gateway.Learning;

/// <summary>
/// Appends a <see cref="UsageObserved"/> for every request an arm completed (length model when the decision carries
/// the engine's embedding; latency statistics; spend counters), keyed by (request id, <c>usage</c>). When a fallback
/// arm served, the decision record is re-saved with that arm first, so later feedback is credited to the arm whose
/// answer the user saw.
/// </summary>
/// <remarks>
/// A request routed by the engine under a budget autopilot target carries a <see cref="BudgetTag"/> (its controller
/// and the target then in force) in the entry, so the autopilot folds its realised cost on every replica.
/// </remarks>
public sealed class UsageLearningObserver(LearningEventWriter writer, IDecisionStore decisions, TimeProvider time, IArmRegistryStore? registry = null) : IRequestObserver
{
    /// <inheritdoc />
    public async ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Outcome != RequestOutcome.Succeeded || completion.Arm is null)
        {
            return;
        }

        var embedding = completion.Decision.Embedding;
        var duration = completion.Duration.TotalSeconds;
        var usage = new UsageObserved
        {
            Arm = completion.Arm,
            RequestId = completion.RequestId,
            Embedding = embedding.IsEmpty ? null : embedding.ToArray(),
            PromptTokens = completion.PromptTokens,
            CompletionTokens = completion.CompletionTokens,
            TimeToFirstTokenSeconds = completion.TimeToFirstByte?.TotalSeconds ?? duration,
            DurationSeconds = duration,
            At = time.GetUtcNow(),
        };
        var budget = registry is not null && !embedding.IsEmpty && completion.Decision.Policy == "mixllm"
            ? BudgetScopes.Resolve(registry.Current, completion.ApiKeyId)
            : null;
        await writer.AppendAsync(LearningKinds.Usage, completion.RequestId, usage, completion.CostUsd, cancellationToken, budget);

        var decision = completion.Decision;
        if (completion.FallbackUsed && decision.RankedArms.Count > 0 && decision.ChosenArm != completion.Arm
            && await decisions.FindAsync(completion.RequestId, cancellationToken) is { } record)
        {
            var served = completion.Arm;
            var ranked = record.Decision.RankedArms.Where(a => a != served).Prepend(served).ToArray();
            await decisions.SaveAsync(record with { Decision = record.Decision with { RankedArms = ranked } }, cancellationToken);
        }
    }
}
