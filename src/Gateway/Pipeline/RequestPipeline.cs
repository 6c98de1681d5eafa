using Microsoft.Extensions.Options;
using Router.Core.Latency;
using Router.Core.Routing;
using IRouter = Router.Core.Routing.IRouter;
using Router.Gateway.Arms;
using Router.Gateway.Auth;
using Router.Gateway.Caching;
using Router.Gateway.Configuration;
using Router.Gateway.Decisions;
using Router.Gateway.Forwarding;
using Router.Gateway.Learning;
using Router.Gateway.Logging;
using Router.Gateway.OpenAi;
using Router.Gateway.Personalisation;
using Router.Gateway.Protocols.Anthropic;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;
using Yarp.ReverseProxy.Forwarder;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The protocol-neutral request path (DESIGN.md steps 1-9, docs/request-pipeline.md) that every inbound adapter
/// hands its <see cref="GatewayRequest"/> to: limits, cache lookup (<see cref="ResponseCacheStep"/>), decision
/// (<see cref="DecisionStep"/>), decision record, forward with fallback (<see cref="FallbackForwarder"/>, one
/// <see cref="ArmAttempt"/> per try; the verifier cascade, <see cref="CascadeStep"/>, when <c>Router:Cascade</c> is on),
/// usage metering and the observers (<see cref="CompletionPublisher"/>).
/// Thread-safe singleton.
/// </summary>
public sealed class RequestPipeline
{
    /// <summary>The tag that marks an embedding model.</summary>
    public const string EmbeddingsTag = "embeddings";

    /// <summary>The <see cref="HttpContext.Items"/> key of the request id (for the exception handler).</summary>
    public const string RequestIdItem = "router.request-id";

    /// <summary>The <see cref="HttpContext.Items"/> key where authentication leaves the caller's API key id (a string), if any.</summary>
    public const string ApiKeyIdItem = "router.api-key-id";

    private readonly IDecisionStore _decisions;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger<RequestPipeline> _logger;
    private readonly RequestLimits _limits;
    private readonly ResponseCacheStep? _cache;
    private readonly DecisionStep _decide;
    private readonly FallbackForwarder _forward;
    private readonly CompletionPublisher _publisher;
    private readonly CascadeStep? _cascade;

    /// <summary>Creates the pipeline (DI).</summary>
    public RequestPipeline(
        IHttpForwarder forwarder,
        IUpstreamInvokers invokers,
        IArmCatalog catalog,
        IRouter router,
        IDecisionStore decisions,
        ITokenCounter tokens,
        IEnumerable<IRequestObserver> observers,
        IOptions<GatewayOptions> options,
        TimeProvider time,
        ILogger<RequestPipeline> logger,
        ArmResilience resilience,
        IOptions<RequestLimitsOptions> limits,
        IRoutingPolicySource? policies = null,
        ArmLoadTracker? load = null,
        ResponseCache? cache = null,
        IOptions<AnthropicOptions>? anthropic = null,
        UserKeys? users = null,
        IOptions<CascadeOptions>? cascade = null,
        CascadeVerifier? verifier = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(options);
        _limits = new RequestLimits(limits.Value);
        _decisions = decisions;
        _tokens = tokens;
        _time = time;
        _logger = logger;
        _publisher = new CompletionPublisher([.. observers], tokens, time, logger);
        _cache = cache is { Enabled: true } ? new ResponseCacheStep(cache, catalog, decisions, time, logger, _publisher) : null;
        _decide = new DecisionStep(catalog, router, tokens, resilience, options.Value.DefaultPolicy.Over(RoutingPolicy.Default), policies, logger, users);
        var attempt = new ArmAttempt(forwarder, invokers, resilience, options.Value.AzureApiVersion,
            anthropic?.Value.Version ?? new AnthropicOptions().Version, time);
        _forward = new FallbackForwarder(catalog, resilience, attempt, load, _publisher, _cache, time, logger);
        _cascade = cascade?.Value is { Enabled: true } cascadeOptions && verifier is not null
            ? new CascadeStep(cascadeOptions, verifier, _forward, _publisher, decisions, logger)
            : null;
    }

    /// <summary>Gives the request its id (the <c>x-router-request-id</c> header, set before anything can fail).</summary>
    public (string RequestId, long Started) Begin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = _time.GetTimestamp();
        var requestId = "req_" + Guid.NewGuid().ToString("N");
        context.Response.Headers[RouterHeaders.RequestId] = requestId;
        context.Items[RequestIdItem] = requestId;
        return (requestId, started);
    }

    /// <summary>
    /// Serves one parsed request: <paramref name="body"/> is the bytes the cache key is computed from (the client's
    /// body for OpenAI clients, the translated body otherwise).
    /// </summary>
    public async Task RunAsync(HttpContext context, GatewayRequest request, ReadOnlyMemory<byte> body, string requestId, long started)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = context.RequestAborted;
        if (request.ClientTranslator is { } translator)
        {
            context.Response.Body = translator.Wrap(context.Response);
        }

        var limitError = _limits.Check(request, _tokens);
        if (limitError is not null)
        {
            await limitError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        var key = context.Features.Get<ClientKeyFeature>()?.Key;
        GatewayLog.QueryText(_logger, requestId, request.QueryText);
        // The caller's key: set by the client-key middleware (ClientKeyFeature), or by a host through Items.
        var scope = new RequestScope(context, request, requestId, started, key, key?.Id ?? context.Items[ApiKeyIdItem] as string);

        // Response cache (Router:Cache; off: no plan, no header, no capture). A hit is answered here, without routing.
        scope.Cache = _cache?.Plan(scope, body.Span) ?? ResponseCachePlan.Off;
        if (scope.Cache.Read && await _cache!.TryServeAsync(scope))
        {
            return;
        }

        // An identical request already in flight here: wait for its answer and serve that (one upstream call, not N).
        var (lead, waited) = scope.Cache.Read && scope.Cache.Store ? await _cache!.LeadOrWaitAsync(scope) : (null, false);
        using (lead)
        {
            if (waited && await _cache!.TryServeAsync(scope))
            {
                return;
            }

            await RouteAndForwardAsync(scope);
        }
    }

    // Routing, the decision record and the forward (DESIGN.md steps 2-9), after the cache step found nothing to serve.
    private async Task RouteAndForwardAsync(RequestScope scope)
    {
        if (scope.Cache.Status is { } cacheStatus)
        {
            // On every response from here on, fallbacks' and retries' Response.Clear() included.
            scope.Response.OnStarting(static state =>
            {
                var (response, value) = ((HttpResponse, string))state;
                response.Headers[RouterHeaders.Cache] = value;
                return Task.CompletedTask;
            }, (scope.Response, ResponseCacheStep.HeaderValue(cacheStatus)));
        }

        var (decision, decisionError) = await _decide.DecideAsync(scope);
        if (decisionError is not null)
        {
            await decisionError.WriteAsync(scope.Response, scope.Aborted);
            if (decisionError.Status == StatusCodes.Status503ServiceUnavailable)
            {
                await _publisher.PublishAsync(new RequestCompletion
                {
                    RequestId = scope.RequestId,
                    Operation = scope.Request.Operation,
                    Decision = new RoutingDecision { RequestId = scope.RequestId, RankedArms = [], Policy = "none" },
                    StatusCode = decisionError.Status,
                    Outcome = RequestOutcome.Rejected,
                    Duration = _time.GetElapsedTime(scope.Started),
                    ApiKeyId = scope.ApiKeyId,
                    Cache = scope.Cache.Status,
                });
            }

            return;
        }

        await _decisions.SaveAsync(new DecisionRecord(scope.RequestId, decision!, _time.GetUtcNow(), scope.ApiKeyId), scope.Aborted);
        using var capture = scope.Cache.Store ? _cache!.NewCapture() : null;
        if (_cascade is not null && _cascade.Applies(scope, decision!))
        {
            await _cascade.RunAsync(scope, decision!, capture);
            return;
        }

        await _forward.ForwardAsync(scope, decision!, capture);
    }
}
