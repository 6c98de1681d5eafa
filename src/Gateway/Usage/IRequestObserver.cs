namespace Router.Gateway.Usage;

/// <summary>
/// Told about every completed request (success or failure) after the response has been sent. Register any number in
/// DI (<c>services.AddSingleton&lt;IRequestObserver, MyObserver&gt;()</c>): the engine's latency and length learning and
/// the Redis request log attach here. Implementations are thread-safe and quick (queue slow work); an exception is
/// logged and does not affect the client or the other observers.
/// </summary>
public interface IRequestObserver
{
    /// <summary>Called once per request on <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>.</summary>
    ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken);
}
