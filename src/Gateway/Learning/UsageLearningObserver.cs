using Router.Core.Learning;
using Router.Core.State;
using Router.Gateway.Budget;
using Router.Gateway.Decisions;
using Router.Gateway.Usage;

namespace Router.Gateway.Learning;

/// <summary>
/// Appends a <see cref="UsageObserved"/> for every request an arm completed (length model when the decision carries
/// the engine's embedding; latency statistics; spend counters), keyed by (request id, <c>usage</c>); a cascade's
/// superseded call by (request id/cascade/arm, <c>usage</c>), so both paid calls count. When a fallback arm served, the
/// decision record is re-saved with that arm first, so later feedback is credited to the arm whose answer the user saw
/// (the cascade step does this itself for an escalation, before the answer is sent).
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
        // The arm's own latency: a cascade's later call began after the earlier ones (CallOffset).
        var duration = (completion.Duration - completion.CallOffset).TotalSeconds;
        var usage = new UsageObserved
        {
            Arm = completion.Arm,
            RequestId = completion.RequestId,
            Embedding = embedding.IsEmpty ? null : embedding.ToArray(),
            PromptTokens = completion.PromptTokens,
            CompletionTokens = completion.CompletionTokens,
            TimeToFirstTokenSeconds = completion.TimeToFirstByte is { } ttfb ? (ttfb - completion.CallOffset).TotalSeconds : duration,
            DurationSeconds = duration,
            At = time.GetUtcNow(),
        };
        var budget = registry is not null && !embedding.IsEmpty && completion.Decision.Policy == "mixllm"
            ? BudgetScopes.Resolve(registry.Current, completion.ApiKeyId)
            : null;
        // One usage entry per paid call: a cascade's superseded call has its own key (the log dedupes by key).
        var key = completion.Superseded ? string.Concat(completion.RequestId, "/cascade/", completion.Arm) : completion.RequestId;
        await writer.AppendAsync(LearningKinds.Usage, key, usage, completion.CostUsd, cancellationToken, budget);

        var decision = completion.Decision;
        if (completion.FallbackUsed && !completion.Superseded && decision.RankedArms.Count > 0 && decision.ChosenArm != completion.Arm
            && await decisions.FindAsync(completion.RequestId, cancellationToken) is { } record)
        {
            var served = completion.Arm;
            var ranked = record.Decision.RankedArms.Where(a => a != served).Prepend(served).ToArray();
            await decisions.SaveAsync(record with { Decision = record.Decision with { RankedArms = ranked } }, cancellationToken);
        }
    }
}
