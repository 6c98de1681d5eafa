using Router.Gateway.Usage;

namespace Router.Gateway.Telemetry;

/// <summary>Feeds <see cref="GatewayMetrics"/> from every completed request.</summary>
internal sealed class MetricsObserver(GatewayMetrics metrics) : IRequestObserver
{
    public ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        metrics.RecordCompletion(completion);
        return ValueTask.CompletedTask;
    }
}
