using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Router.Core.Arms;
using Router.Core.Latency;
using Router.Core.Routing;
using IRouter = Router.Core.Routing.IRouter;
using Router.Gateway.Arms;
using Router.Gateway.Auth;
using Router.Gateway.Caching;
using Router.Gateway.Configuration;
using Router.Gateway.Decisions;
using Router.Gateway.Learning;
using Router.Gateway.Logging;
using Router.Gateway.OpenAi;
using Router.Gateway.Resilience;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;
using Yarp.ReverseProxy.Forwarder;

namespace Router.Gateway.Forwarding;

/// <summary>
/// The request path of <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>
/// (DESIGN.md steps 1, 2, 9): read and validate the body, pin or route, forward with YARP to the ranked arms in turn
/// (falling back only while nothing has reached the client), meter usage and cost, publish the outcome. With the
/// response cache on, a lookup step comes before routing (<see cref="TryServeFromCacheAsync"/>) and a store step after a
/// successful forward (<see cref="StoreInCacheAsync"/>). Thread-safe singleton.
/// </summary>
public sealed class CompletionProxy
{
    /// <summary>The tag that marks an embedding model.</summary>
    public const string EmbeddingsTag = "embeddings";

    /// <summary>The <see cref="HttpContext.Items"/> key of the request id (for the exception handler).</summary>
    public const string RequestIdItem = "router.request-id";

    /// <summary>The <see cref="HttpContext.Items"/> key where authentication leaves the caller's API key id (a string), if any.</summary>
    public const string ApiKeyIdItem = "router.api-key-id";

    private readonly IHttpForwarder _forwarder;
    private readonly IUpstreamInvokers _invokers;
    private readonly IArmCatalog _catalog;
    private readonly IRouter _router;
    private readonly IDecisionStore _decisions;
    private readonly ITokenCounter _tokens;
    private readonly IRequestObserver[] _observers;
    private readonly GatewayOptions _options;
    private readonly RoutingPolicy _defaultPolicy;
    private readonly TimeProvider _time;
    private readonly ILogger<CompletionProxy> _logger;
    private readonly IRoutingPolicySource? _policies;

    // Requests in flight per arm (the engine's queue-wait estimate, MixLLM's latency penalty); null without an engine.
    private readonly ArmLoadTracker? _load;
    private readonly ArmResilience _resilience;
    private readonly RequestLimits _limits;
    private readonly ResponseCache? _cache;

    /// <summary>Creates the proxy (DI).</summary>
    public CompletionProxy(
        IHttpForwarder forwarder,
        IUpstreamInvokers invokers,
        IArmCatalog catalog,
        IRouter router,
        IDecisionStore decisions,
        ITokenCounter tokens,
        IEnumerable<IRequestObserver> observers,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILogger<CompletionProxy> logger,
        ArmResilience resilience,
        IOptions<RequestLimitsOptions> limits,
        IRoutingPolicySource? policies = null,
        ArmLoadTracker? load = null,
        ResponseCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _resilience = resilience;
        _limits = new RequestLimits(limits.Value);
        ArgumentNullException.ThrowIfNull(options);
        _forwarder = forwarder;
        _invokers = invokers;
        _catalog = catalog;
        _router = router;
        _decisions = decisions;
        _tokens = tokens;
        _observers = [.. observers];
        _options = options.Value;
        _defaultPolicy = _options.DefaultPolicy.Over(RoutingPolicy.Default);
        _time = time;
        _logger = logger;
        _policies = policies;
        _load = load;
        _cache = cache is { Enabled: true } ? cache : null;
    }

    /// <summary>Serves one request on <paramref name="operation"/>'s endpoint.</summary>
    public async Task HandleAsync(HttpContext context, OpenAiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = _time.GetTimestamp();
        var requestId = "req_" + Guid.NewGuid().ToString("N");
        var cancellationToken = context.RequestAborted;
        context.Response.Headers[RouterHeaders.RequestId] = requestId;
        context.Items[RequestIdItem] = requestId;

        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodyBytes, cancellationToken);
        if (readError is not null)
        {
            await readError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        var (parsed, parseError) = OpenAiRequestParser.Parse(operation, body, context.Request.Headers);
        if (parseError is not null)
        {
            await parseError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        var limitError = _limits.Check(parsed!, _tokens);
        if (limitError is not null)
        {
            await limitError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        var key = context.Features.Get<ClientKeyFeature>()?.Key;
        GatewayLog.QueryText(_logger, requestId, parsed!.QueryText);
        // The caller's key: set by the client-key middleware (ClientKeyFeature), or by a host through Items.
        var apiKeyId = key?.Id ?? context.Items[ApiKeyIdItem] as string;

        // Response cache (Router:Cache; off: no plan, no header, no capture). A hit is answered here, without routing.
        var cache = _cache?.Plan(context.Request, parsed, apiKeyId, body) ?? ResponseCachePlan.Off;
        if (cache.Read && await TryServeFromCacheAsync(context, parsed, cache.Key!, key, apiKeyId, requestId, started))
        {
            return;
        }

        // An identical request already in flight here: wait for its answer and serve that (one upstream call, not N).
        var (lead, waited) = cache.Read && cache.Store ? await _cache!.LeadOrWaitAsync(cache.Key!, requestId, cancellationToken) : (null, false);
        using (lead)
        {
            if (waited && await TryServeFromCacheAsync(context, parsed, cache.Key!, key, apiKeyId, requestId, started))
            {
                return;
            }

            await RouteAndForwardAsync(context, operation, parsed, key, apiKeyId, requestId, started, cache);
        }
    }

    // Routing, the decision record and the forward (DESIGN.md steps 2-9), after the cache step found nothing to serve.
    private async Task RouteAndForwardAsync(
        HttpContext context, OpenAiOperation operation, ParsedOpenAiRequest parsed, ClientApiKey? key, string? apiKeyId, string requestId, long started, ResponseCachePlan cache)
    {
        var cancellationToken = context.RequestAborted;

        if (cache.Status is { } cacheStatus)
        {
            // On every response from here on, fallbacks' and retries' Response.Clear() included.
            context.Response.OnStarting(static state =>
            {
                var (response, value) = ((HttpResponse, string))state;
                response.Headers[RouterHeaders.Cache] = value;
                return Task.CompletedTask;
            }, (context.Response, HeaderValue(cacheStatus)));
        }

        var (decision, decisionError) = await DecideAsync(requestId, parsed, key, apiKeyId, cancellationToken);
        if (decisionError is not null)
        {
            await decisionError.WriteAsync(context.Response, cancellationToken);
            if (decisionError.Status == StatusCodes.Status503ServiceUnavailable)
            {
                await PublishAsync(new RequestCompletion
                {
                    RequestId = requestId,
                    Operation = operation,
                    Decision = new RoutingDecision { RequestId = requestId, RankedArms = [], Policy = "none" },
                    StatusCode = decisionError.Status,
                    Outcome = RequestOutcome.Rejected,
                    Duration = _time.GetElapsedTime(started),
                    ApiKeyId = apiKeyId,
                    Cache = cache.Status,
                });
            }

            return;
        }

        await _decisions.SaveAsync(new DecisionRecord(requestId, decision!, _time.GetUtcNow(), apiKeyId), cancellationToken);
        using var capture = cache.Store ? _cache!.NewCapture() : null;
        await ForwardAsync(context, parsed, decision!, requestId, started, apiKeyId, cache, capture);
    }

    /// <summary>
    /// The cache's lookup step: answers from a stored response when there is one whose arm is still enabled and
    /// allowed for the caller's key. A hit gets a decision record that copies the original decision (same arm first,
    /// same embedding and propensity), so feedback on its request id trains that arm for that query; it costs 0, and
    /// is published as <see cref="RequestOutcome.CacheHit"/>, which the latency and length learning ignores.
    /// </summary>
    private async Task<bool> TryServeFromCacheAsync(
        HttpContext context, ParsedOpenAiRequest request, string cacheKey, ClientApiKey? key, string? apiKeyId, string requestId, long started)
    {
        var cancellationToken = context.RequestAborted;
        var hit = await _cache!.GetAsync(cacheKey, cancellationToken);
        if (hit is null)
        {
            return false;
        }

        if (!_catalog.TryGet(hit.Arm, out var arm) || !arm.Definition.Enabled || (key is not null && !key.AllowsArm(arm.Name)))
        {
            CacheLog.NotServable(_logger, requestId, hit.Arm);
            return false;
        }

        var decision = hit.DecisionFor(requestId);
        await _decisions.SaveAsync(new DecisionRecord(requestId, decision, _time.GetUtcNow(), apiKeyId), cancellationToken);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = hit.ContentType;
        response.ContentLength = hit.Body.Length;
        response.Headers[RouterHeaders.Cache] = HeaderValue(ResponseCacheStatus.Hit);
        ArmTransformer.SetRouterHeaders(response, arm.Name, decision, fallback: false, debug: false);
        var outcome = RequestOutcome.CacheHit;
        try
        {
            await response.Body.WriteAsync(hit.Body, cancellationToken);
            await response.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            outcome = RequestOutcome.ClientCancelled;
        }

        CacheLog.Hit(_logger, requestId, arm.Name, hit.StoredAt);
        var duration = _time.GetElapsedTime(started);
        await PublishAsync(new RequestCompletion
        {
            RequestId = requestId,
            Operation = request.Operation,
            Arm = arm.Name,
            Decision = decision,
            CostUsd = 0,
            TimeToFirstByte = outcome == RequestOutcome.CacheHit ? duration : null,
            Duration = duration,
            StatusCode = outcome == RequestOutcome.CacheHit ? StatusCodes.Status200OK : 499,
            Outcome = outcome,
            Streamed = false,
            ApiKeyId = apiKeyId,
            Cache = ResponseCacheStatus.Hit,
        });
        return true;
    }

    /// <summary>
    /// The cache's store step, after a forward whose 2xx answer reached the client whole: the captured body (unless it
    /// outgrew <see cref="ResponseCacheOptions.MaxEntryBytes"/>) with the serving arm and its decision.
    /// </summary>
    private async Task StoreInCacheAsync(HttpContext context, string cacheKey, ResponseCapture capture, RoutingDecision decision, string arm, string requestId)
    {
        if (capture.Overflowed)
        {
            CacheLog.TooLarge(_logger, requestId, capture.Limit);
            return;
        }

        if (capture.Written.IsEmpty)
        {
            return;
        }

        var entry = new CachedResponse
        {
            Arm = arm,
            Policy = decision.Policy,
            ContentType = context.Response.ContentType ?? "application/json",
            Body = capture.Written.ToArray(),
            RankedArms = [.. decision.RankedArms.Where(a => !string.Equals(a, arm, StringComparison.OrdinalIgnoreCase)).Prepend(arm)],
            Candidates = decision.Scores.Count > 0 ? [.. decision.Scores.Select(s => s.Arm)] : [.. decision.RankedArms],
            Propensity = decision.Propensity,
            Embedding = decision.Embedding.ToArray(),
            StoredAt = _time.GetUtcNow(),
        };
        await _cache!.StoreAsync(cacheKey, entry);
        CacheLog.Stored(_logger, requestId, arm, entry.Body.Length);
    }

    private static string HeaderValue(ResponseCacheStatus status) => status switch
    {
        ResponseCacheStatus.Hit => "hit",
        ResponseCacheStatus.Miss => "miss",
        _ => "bypass",
    };

    private async Task<(RoutingDecision? Decision, OpenAiError? Error)> DecideAsync(string requestId, ParsedOpenAiRequest request, ClientApiKey? key, string? apiKeyId, CancellationToken cancellationToken)
    {
        if (!ModelNames.IsRouterAlias(request.Model))
        {
            if (!_catalog.TryGet(request.Model, out var pinned))
            {
                return (null, OpenAiError.ModelNotFound(request.Model));
            }

            if (!pinned.Definition.Enabled)
            {
                return (null, OpenAiError.NoArmAvailable($"The arm '{pinned.Name}' is disabled."));
            }

            if (key is not null && !key.AllowsArm(pinned.Name))
            {
                return (null, AccessErrors.ArmNotAllowed(pinned.Name));
            }

            // A pinned request has no fallback: the client asked for this model.
            return (new RoutingDecision { RequestId = requestId, RankedArms = [pinned.Name], Policy = "pinned" }, null);
        }

        var enabled = Candidates(request.Operation);
        var allowed = key is null ? enabled : enabled.Where(a => key.AllowsArm(a.Name)).ToList();
        if (enabled.Count > 0 && allowed.Count == 0)
        {
            return (null, AccessErrors.NoAllowedArm());
        }

        // An arm whose circuit is open is no candidate until its break has elapsed (then the next request is the trial).
        var candidates = allowed.Where(a => _resilience.IsAvailable(a.Name)).ToList();
        if (allowed.Count > 0 && candidates.Count == 0)
        {
            return (null, OpenAiError.NoArmAvailable("Every eligible arm is failing (circuit open); retry shortly.") with { Code = "circuit_open" });
        }

        if (candidates.Count == 0)
        {
            return (null, OpenAiError.NoArmAvailable(request.Operation == OpenAiOperation.Embeddings
                ? $"No enabled arm is tagged '{EmbeddingsTag}'; pin an embedding model by name or tag one."
                : "No enabled arm is available for routing."));
        }

        var routingRequest = new RoutingRequest
        {
            RequestId = requestId,
            QueryText = request.QueryText,
            PromptTokens = _tokens.CountTokens(request.PromptText),
            Candidates = candidates,
            // Request knobs over the key's own λ over the key's policy over the global one (shared registry).
            Policy = request.RequestPolicy
                .Over(new RoutingPolicy { Lambda = key?.Lambda })
                .Over(_policies?.For(apiKeyId) ?? _defaultPolicy),
            ApiKeyId = apiKeyId,
        };

        using var span = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.RouteSpan);

        RoutingDecision decision;
        try
        {
            decision = await _router.RouteAsync(routingRequest, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken router must not take the gateway down: price ranking is always possible.
            GatewayLog.RouterFailed(_logger, requestId, ex);
            decision = await new CheapestArmRouter().RouteAsync(routingRequest, cancellationToken);
        }

        var known = candidates.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ranked = decision.RankedArms.Where(known.Contains).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (span is not null)
        {
            TagRouteSpan(span, routingRequest, decision, ranked);
        }

        if (ranked.Length == 0)
        {
            return (null, OpenAiError.NoArmAvailable("The router excluded every arm (e.g. all over the time limit)."));
        }

        return (ranked.Length == decision.RankedArms.Count ? decision : decision with { RankedArms = ranked }, null);
    }

    private List<ArmDefinition> Candidates(OpenAiOperation operation)
    {
        var wantEmbeddings = operation == OpenAiOperation.Embeddings;
        return _catalog.Arms
            .Where(a => a.Enabled && a.Tags.Contains(EmbeddingsTag, StringComparer.OrdinalIgnoreCase) == wantEmbeddings)
            .ToList();
    }

    private async Task ForwardAsync(
        HttpContext context, ParsedOpenAiRequest request, RoutingDecision decision, string requestId, long started, string? apiKeyId,
        ResponseCachePlan cache, ResponseCapture? capture)
    {
        var cancellationToken = context.RequestAborted;
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
                last = await ResilientAttemptAsync(context, request, arm, decision, attempted, requestId, capture, cancellationToken);
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
            context.Response.Clear();
            context.Response.Headers[RouterHeaders.RequestId] = requestId;
            ArmTransformer.SetRouterHeaders(context.Response, lastArm.Name, decision, attempted.Count > 1, debug, attempted[0]);
            if (last.Error!.Code == "circuit_open" && _resilience.RemainingBreak(lastArm.Name) is { } wait && wait > TimeSpan.Zero)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }
            else if (last.UpstreamStatus is 429 or 503 && last.RetryAfter is { } upstreamWait)
            {
                // The upstream's own advice, in whole seconds, within [1 s, 1 h] (a bogus date or 10^12 s is no advice).
                var seconds = Math.Clamp(Math.Ceiling(upstreamWait.TotalSeconds), 1, 3600);
                context.Response.Headers.RetryAfter = ((int)seconds).ToString(CultureInfo.InvariantCulture);
            }

            await last.Error!.WriteAsync(context.Response, cancellationToken);
        }

        if (last.Outcome == RequestOutcome.ClientCancelled)
        {
            GatewayLog.ClientCancelled(_logger, requestId, lastArm.Name);
        }
        else if (last.Outcome != RequestOutcome.Succeeded)
        {
            GatewayLog.UpstreamFailed(_logger, requestId, lastArm.Name, last.Reason, last.Exception);
        }

        var duration = _time.GetElapsedTime(started);
        TimeSpan? ttfb = last.Meter is { FirstWriteTimestamp: > 0 } m ? _time.GetElapsedTime(started, m.FirstWriteTimestamp) : null;
        var (promptTokens, completionTokens, estimated) = Usage(request, last);
        var cost = lastArm.Definition.CostUsd(promptTokens, completionTokens);
        var completion = new RequestCompletion
        {
            RequestId = requestId,
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
            ApiKeyId = apiKeyId,
            Cache = cache.Status,
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

        GatewayLog.Completed(_logger, requestId, request.Operation.ToString(), lastArm.Name, completion.StatusCode, duration.TotalMilliseconds,
            promptTokens, completionTokens, estimated ? " (estimated)" : "", cost);

        var delivered = false;
        if (last.Outcome != RequestOutcome.ClientCancelled)
        {
            // Let the client have the end of the response before the observers run.
            try
            {
                await context.Response.CompleteAsync();
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
            await StoreInCacheAsync(context, cache.Key!, capture, decision, lastArm.Name, requestId);
        }

        await PublishAsync(completion);
    }

    private (int Prompt, int Completion, bool Estimated) Usage(ParsedOpenAiRequest request, UpstreamAttempt attempt)
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

    private int Estimate(string text, ref bool estimated)
    {
        estimated = true;
        return _tokens.CountTokens(text);
    }

    /// <summary>
    /// One arm through its Polly pipeline: retries (jittered, only while nothing reached the client) inside the arm's
    /// circuit breaker. An open circuit answers at once with a retryable <c>circuit_open</c> attempt, so the caller
    /// falls back to the next arm.
    /// </summary>
    private async Task<UpstreamAttempt> ResilientAttemptAsync(
        HttpContext context, ParsedOpenAiRequest request, CatalogArm arm, RoutingDecision decision, List<string> attempted, string requestId,
        ResponseCapture? capture, CancellationToken cancellationToken)
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        resilienceContext.Properties.Set(ArmResilience.RequestIdKey, requestId);
        var tries = 0;
        try
        {
            return await _resilience.PipelineFor(arm.Name).ExecuteAsync(
                async ctx =>
                {
                    if (tries++ > 0 && !context.Response.HasStarted)
                    {
                        context.Response.Clear();
                        context.Response.Headers[RouterHeaders.RequestId] = requestId;
                    }

                    using var span = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.UpstreamSpan, ActivityKind.Client);
                    span?.SetTag("router.request_id", requestId);
                    span?.SetTag("router.arm", arm.Name);
                    span?.SetTag("router.attempt", tries);
                    span?.SetTag("router.fallback", attempted.Count > 1);
                    var attempt = await AttemptAsync(context, request, arm, decision, attempted.Count > 1 ? attempted[0] : null, capture, ctx.CancellationToken);
                    if (span is not null)
                    {
                        span.SetTag("router.outcome", attempt.Outcome.ToString());
                        span.SetTag("http.response.status_code", attempt.UpstreamStatus ?? (attempt.Outcome == RequestOutcome.Succeeded ? context.Response.StatusCode : null));
                        if (attempt.Outcome is not (RequestOutcome.Succeeded or RequestOutcome.ClientCancelled))
                        {
                            span.SetStatus(ActivityStatusCode.Error, attempt.Reason);
                        }
                    }

                    return attempt;
                },
                resilienceContext);
        }
        catch (BrokenCircuitException)
        {
            var error = OpenAiError.NoArmAvailable($"The arm '{arm.Name}' is failing (circuit open); retry shortly.") with { Code = "circuit_open" };
            return new UpstreamAttempt(RequestOutcome.UpstreamUnavailable, !context.Response.HasStarted, "circuit open", error, null, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new UpstreamAttempt(RequestOutcome.ClientCancelled, false, "client cancelled", null, null, null);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    private async Task<UpstreamAttempt> AttemptAsync(
        HttpContext context, ParsedOpenAiRequest request, CatalogArm arm, RoutingDecision decision, string? fallbackFrom, ResponseCapture? capture, CancellationToken cancellationToken)
    {
        var fallback = fallbackFrom is not null;
        var body = RewriteBody(request, arm);
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";

        var apiKey = arm.Definition.ApiKeyEnv is { Length: > 0 } env ? Environment.GetEnvironmentVariable(env) : null;
        // Timeouts on the gateway's clock (fake in tests): first byte = until the response headers arrive, total =
        // the whole attempt, stream included. YARP's ActivityTimeout (the arm's TimeoutSeconds) stays the idle limit.
        var timeouts = _resilience.OptionsFor(arm.Name);
        using var firstByte = new CancellationTokenSource(timeouts.FirstByteTimeout ?? arm.Definition.Timeout, _time);
        using var total = new CancellationTokenSource(timeouts.TotalTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, firstByte.Token, total.Token);
        var transformer = new ArmTransformer(arm, request.Operation, _options.AzureApiVersion, apiKey, decision, fallback,
            hideUsageChunk: request.Stream && !request.ClientWantsStreamUsage, _time)
        {
            FallbackFrom = fallbackFrom,
            ExpectEventStream = request.Stream,
            ResponseArrived = () => firstByte.CancelAfter(Timeout.InfiniteTimeSpan),
            Capture = capture,
        };
        capture?.Reset(); // a retry or fallback starts a new body
        var config = new ForwarderRequestConfig { ActivityTimeout = arm.Definition.Timeout };
        var originalBody = context.Response.Body;
        context.Features.Set<IForwarderErrorFeature>(null);
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(context, ArmTransformer.DestinationPrefix(arm), _invokers.Get(arm), config, transformer, linked.Token);
            if (error == ForwarderError.None && transformer.Meter is { } meter)
            {
                try
                {
                    await meter.CompleteAsync(linked.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    error = ForwarderError.ResponseBodyClient; // the client left during the last bytes
                }
            }
        }
        finally
        {
            context.Response.Body = originalBody;
        }

        if (transformer.UpstreamErrorStatus is { } status)
        {
            var mapped = UpstreamErrors.Map(arm.Name, status, transformer.UpstreamErrorBody, apiKey);
            var outcome = mapped.Status == StatusCodes.Status504GatewayTimeout ? RequestOutcome.UpstreamTimeout : RequestOutcome.UpstreamError;
            return new UpstreamAttempt(outcome, UpstreamErrors.IsRetryable(status) && !context.Response.HasStarted, $"status {status}", mapped, transformer.Meter, null, status)
            {
                RetryAfter = transformer.UpstreamRetryAfter,
            };
        }

        if (transformer.InvalidResponse is { } invalid)
        {
            var invalidError = new OpenAiError(StatusCodes.Status502BadGateway, $"The upstream of arm '{arm.Name}' {invalid}.", "upstream_error", null, "upstream_invalid_response");
            return new UpstreamAttempt(RequestOutcome.UpstreamError, !context.Response.HasStarted, "invalid response", invalidError, transformer.Meter, null);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (error == ForwarderError.None)
        {
            return new UpstreamAttempt(RequestOutcome.Succeeded, false, "ok", null, transformer.Meter, null);
        }

        var gatewayTimeout = firstByte.IsCancellationRequested || total.IsCancellationRequested;
        if (!gatewayTimeout && (cancellationToken.IsCancellationRequested || error is ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient))
        {
            return new UpstreamAttempt(RequestOutcome.ClientCancelled, false, "client cancelled", null, transformer.Meter, null);
        }

        var started = context.Response.HasStarted;
        // ResponseHeaders with a cancellation: YARP's idle timeout (the arm's TimeoutSeconds) fired while the transform
        // read the start of the body (SuccessBody's peek: headers came, the first event did not).
        var timedOut = gatewayTimeout || error == ForwarderError.RequestTimedOut ||
            (error is ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseHeaders && exception is OperationCanceledException);
        var which = firstByte.IsCancellationRequested ? "first byte" : total.IsCancellationRequested ? "total" : error.ToString();
        return timedOut
            ? new UpstreamAttempt(RequestOutcome.UpstreamTimeout, !started, $"timeout ({which})", OpenAiError.UpstreamTimeout(arm.Name), transformer.Meter, exception)
            : new UpstreamAttempt(RequestOutcome.UpstreamUnavailable, !started, $"forwarder error {error}", OpenAiError.UpstreamUnavailable(arm.Name), transformer.Meter, exception);
    }

    /// <summary>The body for one arm: <c>model</c> rewritten to the upstream model; streams always ask for usage.</summary>
    private static byte[] RewriteBody(ParsedOpenAiRequest request, CatalogArm arm)
    {
        var body = request.Body;
        body["model"] = arm.Definition.EffectiveUpstreamModel;
        if (request.Stream)
        {
            if (body["stream_options"] is not JsonObject streamOptions)
            {
                streamOptions = [];
                body["stream_options"] = streamOptions;
            }

            streamOptions["include_usage"] = true;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            body.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    private async Task PublishAsync(RequestCompletion completion)
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

    private static void TagRouteSpan(Activity span, RoutingRequest routingRequest, RoutingDecision decision, string[] ranked)
    {
        span.SetTag("router.request_id", routingRequest.RequestId);
        span.SetTag("router.query_length", routingRequest.QueryText.Length);
        span.SetTag("router.prompt_tokens", routingRequest.PromptTokens);
        span.SetTag("router.candidates", routingRequest.Candidates.Count);
        span.SetTag("router.policy", decision.Policy);
        span.SetTag("router.lambda", routingRequest.Policy.Lambda);
        span.SetTag("router.chosen_arm", ranked.Length > 0 ? ranked[0] : null);
        span.SetTag("router.ranked_arms", string.Join(',', ranked));
        span.SetTag("router.propensity", decision.Propensity);
        if (routingRequest.ApiKeyId is { } keyId)
        {
            span.SetTag("router.api_key_id", keyId);
        }

        // Per-arm scores as one compact tag ("arm=score;…"): span attributes are flat, and arms vary per deployment.
        if (decision.Scores is { Count: > 0 } scores)
        {
            var text = new StringBuilder();
            foreach (var score in scores)
            {
                text.Append(score.Arm).Append('=').Append(score.Score.ToString("G6", CultureInfo.InvariantCulture));
                if (score.ExcludedReason is not null)
                {
                    text.Append("(excluded)");
                }

                text.Append(';');
            }

            span.SetTag("router.scores", text.ToString());
        }
    }
}
