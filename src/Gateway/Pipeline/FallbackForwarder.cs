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
        var tried = await TryArmsAsync(scope, decision, decision.RankedArms, capture);
        await EndAsync(scope, decision, capture, tried, []);
    }

    /// <summary>
    /// Tries <paramref name="arms"/> in turn (fallback while nothing reached the client) and returns the last attempt,
    /// without ending the response: <see cref="EndAsync"/> does that (the cascade step looks at the answer first).
    /// </summary>
    public async Task<ArmsTried> TryArmsAsync(RequestScope scope, RoutingDecision decision, IReadOnlyList<string> arms, ResponseCapture? capture)
    {
        var context = scope.Context;
        var requestId = scope.RequestId;
        var cancellationToken = scope.Aborted;
        var started = _time.GetTimestamp();
        var attempted = new List<string>(arms.Count);
        UpstreamAttempt? last = null;
        CatalogArm? lastArm = null;
        foreach (var name in arms)
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

        return new ArmsTried(last, lastArm, attempted, started);
    }

    /// <summary>
    /// Ends the request after <paramref name="tried"/>: the failure's error when nothing reached the client, the log
    /// line, metering, the end of the client response, the cache store and the observers.
    /// </summary>
    public async Task EndAsync(RequestScope scope, RoutingDecision decision, ResponseCapture? capture, ArmsTried tried, IReadOnlyList<CascadeHop> cascade)
    {
        ArgumentNullException.ThrowIfNull(tried);
        var context = scope.Context;
        var debug = context.Request.Headers[RouterHeaders.Debug] == "1";
        if (tried.Last is not { } last || tried.Arm is not { } lastArm)
        {
            await OpenAiError.NoArmAvailable("Every arm of the decision has been removed or disabled.").WriteAsync(context.Response, scope.Aborted);
            return;
        }

        if (last.Outcome != RequestOutcome.Succeeded && last.Outcome != RequestOutcome.ClientCancelled && !context.Response.HasStarted)
        {
            await WriteFailureAsync(scope, last, lastArm, decision, tried.Attempted, debug);
        }

        if (last.Outcome == RequestOutcome.ClientCancelled)
        {
            GatewayLog.ClientCancelled(_logger, scope.RequestId, lastArm.Name);
        }
        else if (last.Outcome != RequestOutcome.Succeeded)
        {
            GatewayLog.UpstreamFailed(_logger, scope.RequestId, lastArm.Name, last.Reason, last.Exception);
        }

        await CompleteAsync(scope, decision, capture, tried, cascade);
    }

    /// <summary>
    /// Meters and publishes a cascade call whose answer the client does not get (<see cref="RequestCompletion.Superseded"/>):
    /// billed like any call; the response is left alone.
    /// </summary>
    public async Task PublishSupersededAsync(RequestScope scope, RoutingDecision decision, ArmsTried tried, IReadOnlyList<CascadeHop> cascade)
    {
        ArgumentNullException.ThrowIfNull(tried);
        if (tried.Last is null || tried.Arm is null)
        {
            return;
        }

        var completion = Completion(scope, decision, tried, cascade) with { Superseded = true, StatusCode = tried.Last.Outcome == RequestOutcome.Succeeded ? 200 : tried.Last.Error?.Status ?? 502 };
        await _publisher.PublishAsync(completion);
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
    private async Task CompleteAsync(RequestScope scope, RoutingDecision decision, ResponseCapture? capture, ArmsTried tried, IReadOnlyList<CascadeHop> cascade)
    {
        var context = scope.Context;
        var request = scope.Request;
        var last = tried.Last!;
        var lastArm = tried.Arm!;
        var attempted = tried.Attempted;
        var completion = Completion(scope, decision, tried, cascade);
        var (duration, promptTokens, completionTokens, estimated, cost) =
            (completion.Duration, completion.PromptTokens, completion.CompletionTokens, completion.UsageEstimated, completion.CostUsd);
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

    // The completion of the last attempt of tried (usage from its meter, cost at the arm's prices).
    private RequestCompletion Completion(RequestScope scope, RoutingDecision decision, ArmsTried tried, IReadOnlyList<CascadeHop> cascade)
    {
        var request = scope.Request;
        var last = tried.Last!;
        var lastArm = tried.Arm!;
        TimeSpan? ttfb = last.Meter is { FirstWriteTimestamp: > 0 } m ? _time.GetElapsedTime(scope.Started, m.FirstWriteTimestamp) : null;
        var (promptTokens, completionTokens, estimated) = _publisher.Usage(request, last);
        return new RequestCompletion
        {
            RequestId = scope.RequestId,
            Operation = request.Operation,
            Arm = lastArm.Name,
            Decision = decision,
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            UsageEstimated = estimated,
            CostUsd = lastArm.Definition.CostUsd(promptTokens, completionTokens),
            TimeToFirstByte = ttfb,
            Duration = _time.GetElapsedTime(scope.Started),
            StatusCode = last.Outcome == RequestOutcome.ClientCancelled ? 499 : scope.Response.StatusCode,
            Outcome = last.Outcome,
            Streamed = request.Stream,
            FallbackUsed = tried.Attempted.Count > 1,
            AttemptedArms = tried.Attempted,
            ApiKeyId = scope.ApiKeyId,
            Cache = scope.Cache.Status,
            Cascade = cascade,
            CallOffset = _time.GetElapsedTime(scope.Started, tried.Started),
        };
    }
}

/// <summary>What <see cref="FallbackForwarder.TryArmsAsync"/> did: the last attempt and its arm (null when no arm could be tried), the arms tried, and when the call began.</summary>
internal sealed record ArmsTried(UpstreamAttempt? Last, CatalogArm? Arm, List<string> Attempted, long Started);
