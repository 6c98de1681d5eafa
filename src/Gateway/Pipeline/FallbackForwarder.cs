using System.Diagnostics;
using System.Globalization;
using Router.Core.Latency;
using Router.Core.Routing;
using Router.Gateway.Arms;
using Router.Gateway.Caching;
using Router.Gateway.Forwarding;
using Router.Gateway.Logging;
using Router.Gateway.OpenAi;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The forward step: the decision's ranked arms in turn (<see cref="ArmAttempt"/> each), falling back only while
/// nothing has reached the client; then the last failure's error (with <c>Retry-After</c> advice), the metered
/// completion, the cache store of a whole 2xx answer and the observers. Thread-safe.
/// </summary>
internal sealed class FallbackForwarder
{
    private readonly IArmCatalog _catalog;
    private readonly ArmResilience _resilience;
    private readonly ArmAttempt _attempt;
    private readonly ArmLoadTracker? _load;
    private readonly CompletionPublisher _publisher;
    private readonly ResponseCacheStep? _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FallbackForwarder(IArmCatalog catalog, ArmResilience resilience, ArmAttempt attempt, ArmLoadTracker? load, CompletionPublisher publisher,
        ResponseCacheStep? cache, TimeProvider time, ILogger logger)
    {
        _catalog = catalog;
        _resilience = resilience;
        _attempt = attempt;
        _load = load;
        _publisher = publisher;
        _cache = cache;
        _time = time;
        _logger = logger;
    }

    public async Task ForwardAsync(RequestScope scope, RoutingDecision decision, ResponseCapture? capture)
    {
        var context = scope.Context;
        var requestId = scope.RequestId;
        var cancellationToken = scope.Aborted;
        var attempted = new List<string>(decision.RankedArms.Count);
        var debug = context.Request.Headers[RouterHeaders.Debug] == "1";
        UpstreamAttempt? last = null;
        CatalogArm? lastArm = null;
        foreach (var name in decision.RankedArms)
        {
            if (!_catalog.TryGet(name, out var arm) || !arm.Definition.Enabled)
            {
                continue; // removed or disabled since the decision
            }

            if (attempted.Count > 0 && !_resilience.IsAvailable(arm.Name))
            {
                continue; // its circuit opened since the decision: not worth a fallback attempt
            }

            if (last is not null)
            {
                GatewayLog.FallingBack(_logger, requestId, lastArm!.Name, last.Reason, arm.Name);
                context.Response.Clear();
                context.Response.Headers[RouterHeaders.RequestId] = requestId;
            }

            attempted.Add(arm.Name);
            lastArm = arm;
            GatewayLog.Forwarding(_logger, requestId, arm.Name, decision.Policy, attempted.Count);
            _load?.Begin(arm.Name);
            try
            {
                last = await _attempt.RunAsync(scope, arm, decision, attempted, capture);
            }
            finally
            {
                _load?.End(arm.Name);
            }

            if (!last.Retryable || context.Response.HasStarted || cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        if (last is null || lastArm is null)
        {
            await OpenAiError.NoArmAvailable("Every arm of the decision has been removed or disabled.").WriteAsync(context.Response, cancellationToken);
            return;
        }

        if (last.Outcome != RequestOutcome.Succeeded && last.Outcome != RequestOutcome.ClientCancelled && !context.Response.HasStarted)
        {
            await WriteFailureAsync(scope, last, lastArm, decision, attempted, debug);
        }

        if (last.Outcome == RequestOutcome.ClientCancelled)
        {
            GatewayLog.ClientCancelled(_logger, requestId, lastArm.Name);
        }
        else if (last.Outcome != RequestOutcome.Succeeded)
        {
            GatewayLog.UpstreamFailed(_logger, requestId, lastArm.Name, last.Reason, last.Exception);
        }

        await CompleteAsync(scope, decision, capture, last, lastArm, attempted);
    }

    private async Task WriteFailureAsync(RequestScope scope, UpstreamAttempt last, CatalogArm lastArm, RoutingDecision decision, List<string> attempted, bool debug)
    {
        var response = scope.Response;
        response.Clear();
        response.Headers[RouterHeaders.RequestId] = scope.RequestId;
        ArmTransformer.SetRouterHeaders(response, lastArm.Name, decision, attempted.Count > 1, debug, attempted[0]);
        if (last.Error!.Code == "circuit_open" && _resilience.RemainingBreak(lastArm.Name) is { } wait && wait > TimeSpan.Zero)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        else if (last.UpstreamStatus is 429 or 503 or 529 && last.RetryAfter is { } upstreamWait)
        {
            // The upstream's own advice, in whole seconds, within [1 s, 1 h] (a bogus date or 10^12 s is no advice).
            var seconds = Math.Clamp(Math.Ceiling(upstreamWait.TotalSeconds), 1, 3600);
            response.Headers.RetryAfter = ((int)seconds).ToString(CultureInfo.InvariantCulture);
        }

        await last.Error!.WriteAsync(response, scope.Aborted);
    }

    // Metering, the end of the client response, the cache store and the observers.
    private async Task CompleteAsync(RequestScope scope, RoutingDecision decision, ResponseCapture? capture, UpstreamAttempt last, CatalogArm lastArm, List<string> attempted)
    {
        var context = scope.Context;
        var request = scope.Request;
        var duration = _time.GetElapsedTime(scope.Started);
        TimeSpan? ttfb = last.Meter is { FirstWriteTimestamp: > 0 } m ? _time.GetElapsedTime(scope.Started, m.FirstWriteTimestamp) : null;
        var (promptTokens, completionTokens, estimated) = _publisher.Usage(request, last);
        var cost = lastArm.Definition.CostUsd(promptTokens, completionTokens);
        var completion = new RequestCompletion
        {
            RequestId = scope.RequestId,
            Operation = request.Operation,
            Arm = lastArm.Name,
            Decision = decision,
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            UsageEstimated = estimated,
            CostUsd = cost,
            TimeToFirstByte = ttfb,
            Duration = duration,
            StatusCode = last.Outcome == RequestOutcome.ClientCancelled ? 499 : context.Response.StatusCode,
            Outcome = last.Outcome,
            Streamed = request.Stream,
            FallbackUsed = attempted.Count > 1,
            AttemptedArms = attempted,
            ApiKeyId = scope.ApiKeyId,
            Cache = scope.Cache.Status,
        };
        if (Activity.Current is { } requestSpan)
        {
            requestSpan.SetTag("router.arm", lastArm.Name);
            requestSpan.SetTag("router.fallback", attempted.Count > 1);
            if (attempted.Count > 1)
            {
                requestSpan.SetTag("router.fallback_from", attempted[0]);
            }
        }

        GatewayLog.Completed(_logger, scope.RequestId, request.Operation.ToString(), lastArm.Name, completion.StatusCode, duration.TotalMilliseconds,
            promptTokens, completionTokens, estimated ? " (estimated)" : "", cost);

        var delivered = false;
        if (last.Outcome != RequestOutcome.ClientCancelled)
        {
            // Let the client have the end of the response before the observers run.
            try
            {
                await scope.CompleteResponseAsync();
                delivered = true;
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The client left at the last moment; nothing to report to it.
            }
        }

        // Only an answer passed to the client as a success, whole, is stored (before the observers: they see it stored).
        if (capture is not null && delivered && last.Outcome == RequestOutcome.Succeeded && context.Response.StatusCode is >= 200 and < 300)
        {
            await _cache!.StoreAsync(scope, capture, decision, lastArm.Name);
        }

        await _publisher.PublishAsync(completion);
    }
}
