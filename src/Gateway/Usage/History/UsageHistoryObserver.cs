using Router.Gateway.Arms;

namespace Router.Gateway.Usage.History;

/// <summary>
/// Counts every completed request into the <see cref="IUsageStore"/> (the usage API and the console's charts).
/// A store failure is logged and dropped: the request is already answered.
/// </summary>
internal sealed class UsageHistoryObserver(IUsageStore store, IArmCatalog catalog, TimeProvider time, ILogger<UsageHistoryObserver> logger) : IRequestObserver
{
    public async ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var arm = completion.Arm ?? UsageGroups.None;
        var model = completion.Arm is { } name && catalog.TryGet(name, out var entry) ? entry.Definition.EffectiveUpstreamModel : arm;
        var sample = new UsageSample(
            time.GetUtcNow(),
            arm,
            completion.ApiKeyId ?? UsageGroups.None,
            model,
            completion.Outcome is not (RequestOutcome.Succeeded or RequestOutcome.CacheHit),
            completion.PromptTokens,
            completion.CompletionTokens,
            completion.CostUsd,
            completion.Duration.TotalMilliseconds);
        try
        {
            await store.RecordAsync(sample, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            UsageLog.RecordFailed(logger, completion.RequestId, ex);
        }
    }
}
