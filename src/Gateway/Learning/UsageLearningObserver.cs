using Router.Core.Learning;
using Router.Gateway.Usage;

namespace Router.Gateway.Learning;

/// <summary>
/// Appends a <see cref="UsageObserved"/> for every request an arm completed (length model when the decision carries
/// the engine's embedding; latency statistics; spend counters), keyed by (request id, <c>usage</c>).
/// </summary>
public sealed class UsageLearningObserver(LearningEventWriter writer, TimeProvider time) : IRequestObserver
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
        await writer.AppendAsync(LearningKinds.Usage, completion.RequestId, usage, completion.CostUsd, cancellationToken);
    }
}
