using Router.Gateway.Forwarding;
using Router.Gateway.Logging;
using Router.Gateway.OpenAi;
using Router.Gateway.Usage;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The metering and publishing step: usage from the upstream's answer (estimated with the tokenizer when it reports
/// none), then every <see cref="IRequestObserver"/> (spend, learning, metrics) in turn, each in its own uncancelled
/// turn so one failing observer cannot starve the others. Thread-safe.
/// </summary>
internal sealed class CompletionPublisher
{
    private readonly IRequestObserver[] _observers;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CompletionPublisher(IRequestObserver[] observers, ITokenCounter tokens, TimeProvider time, ILogger logger)
    {
        _observers = observers;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public TimeProvider Time => _time;

    /// <summary>Prompt and completion tokens of the attempt that answered, and whether either was estimated.</summary>
    public (int Prompt, int Completion, bool Estimated) Usage(GatewayRequest request, UpstreamAttempt attempt)
    {
        if (attempt.Meter is null)
        {
            // Nothing came back (failure or cancellation): the upstream may still bill the prompt, but we cannot know.
            return (0, 0, false);
        }

        var usage = attempt.Meter.Parser.Complete();
        var estimated = false;
        var prompt = usage.PromptTokens ?? Estimate(request.PromptText, ref estimated);
        var completion = usage.CompletionTokens ?? (request.Operation == OpenAiOperation.Embeddings ? 0 : Estimate(usage.CompletionText, ref estimated));
        return (prompt, completion, estimated);
    }

    public async Task PublishAsync(RequestCompletion completion)
    {
        foreach (var observer in _observers)
        {
            try
            {
                // The request is over (the client may be gone): observers get their own, uncancelled, turn.
                await observer.OnRequestCompletedAsync(completion, CancellationToken.None);
            }
            catch (Exception ex)
            {
                GatewayLog.ObserverFailed(_logger, completion.RequestId, observer.GetType().Name, ex);
            }
        }
    }

    private int Estimate(string text, ref bool estimated)
    {
        estimated = true;
        return _tokens.CountTokens(text);
    }
}
