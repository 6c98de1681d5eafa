using Router.Core.Routing;
using Router.Gateway.Arms;
using Router.Gateway.Caching;
using Router.Gateway.Decisions;
using Router.Gateway.Forwarding;
using Router.Gateway.Usage;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The response cache's two pipeline steps: the lookup before routing (<see cref="TryServeAsync"/>) and the store after
/// a forward whose 2xx answer reached the client whole (<see cref="StoreAsync"/>). The cache holds the OpenAI-form
/// answer, so a hit is translated at the client edge like a fresh answer. Thread-safe.
/// </summary>
internal sealed class ResponseCacheStep
{
    private readonly ResponseCache _cache;
    private readonly IArmCatalog _catalog;
    private readonly IDecisionStore _decisions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CompletionPublisher _publisher;

    public ResponseCacheStep(ResponseCache cache, IArmCatalog catalog, IDecisionStore decisions, TimeProvider time, ILogger logger, CompletionPublisher publisher)
    {
        _cache = cache;
        _catalog = catalog;
        _decisions = decisions;
        _time = time;
        _logger = logger;
        _publisher = publisher;
    }

    public static string HeaderValue(ResponseCacheStatus status) => status switch
    {
        ResponseCacheStatus.Hit => "hit",
        ResponseCacheStatus.Miss => "miss",
        _ => "bypass",
    };

    public ResponseCachePlan Plan(RequestScope scope, ReadOnlySpan<byte> body) =>
        _cache.Plan(scope.Context.Request, scope.Request, scope.ApiKeyId, body);

    public Task<(IDisposable? Lead, bool Waited)> LeadOrWaitAsync(RequestScope scope) =>
        _cache.LeadOrWaitAsync(scope.Cache.Key!, scope.RequestId, scope.Aborted);

    public ResponseCapture NewCapture() => _cache.NewCapture();

    /// <summary>
    /// Answers from a stored response when there is one whose arm is still enabled and allowed for the caller's key.
    /// A hit gets a decision record that copies the original decision (same arm first, same embedding and propensity),
    /// so feedback on its request id trains that arm for that query; it costs 0, and is published as
    /// <see cref="RequestOutcome.CacheHit"/>, which the latency and length learning ignores.
    /// </summary>
    public async Task<bool> TryServeAsync(RequestScope scope)
    {
        var cancellationToken = scope.Aborted;
        var hit = await _cache.GetAsync(scope.Cache.Key!, cancellationToken);
        if (hit is null)
        {
            return false;
        }

        if (!_catalog.TryGet(hit.Arm, out var arm) || !arm.Definition.Enabled || (scope.Key is not null && !scope.Key.AllowsArm(arm.Name)))
        {
            CacheLog.NotServable(_logger, scope.RequestId, hit.Arm);
            return false;
        }

        var decision = hit.DecisionFor(scope.RequestId);
        await _decisions.SaveAsync(new DecisionRecord(scope.RequestId, decision, _time.GetUtcNow(), scope.ApiKeyId), cancellationToken);

        var response = scope.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = hit.ContentType;
        response.ContentLength = hit.Body.Length;
        response.Headers[RouterHeaders.Cache] = HeaderValue(ResponseCacheStatus.Hit);
        ArmTransformer.SetRouterHeaders(response, arm.Name, decision, fallback: false, debug: false);
        var outcome = RequestOutcome.CacheHit;
        try
        {
            await response.Body.WriteAsync(hit.Body, cancellationToken);
            await scope.CompleteResponseAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            outcome = RequestOutcome.ClientCancelled;
        }

        CacheLog.Hit(_logger, scope.RequestId, arm.Name, hit.StoredAt);
        var duration = _time.GetElapsedTime(scope.Started);
        await _publisher.PublishAsync(new RequestCompletion
        {
            RequestId = scope.RequestId,
            Operation = scope.Request.Operation,
            Arm = arm.Name,
            Decision = decision,
            CostUsd = 0,
            TimeToFirstByte = outcome == RequestOutcome.CacheHit ? duration : null,
            Duration = duration,
            StatusCode = outcome == RequestOutcome.CacheHit ? StatusCodes.Status200OK : 499,
            Outcome = outcome,
            Streamed = false,
            ApiKeyId = scope.ApiKeyId,
            Cache = ResponseCacheStatus.Hit,
        });
        return true;
    }

    /// <summary>
    /// Stores the captured body (unless it outgrew <see cref="ResponseCacheOptions.MaxEntryBytes"/>) with the serving
    /// arm and its decision.
    /// </summary>
    public async Task StoreAsync(RequestScope scope, ResponseCapture capture, RoutingDecision decision, string arm)
    {
        if (capture.Overflowed)
        {
            CacheLog.TooLarge(_logger, scope.RequestId, capture.Limit);
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
            ContentType = scope.Response.ContentType ?? "application/json",
            Body = capture.Written.ToArray(),
            RankedArms = [.. decision.RankedArms.Where(a => !string.Equals(a, arm, StringComparison.OrdinalIgnoreCase)).Prepend(arm)],
            Candidates = decision.Scores.Count > 0 ? [.. decision.Scores.Select(s => s.Arm)] : [.. decision.RankedArms],
            Propensity = decision.Propensity,
            Embedding = decision.Embedding.ToArray(),
            StoredAt = _time.GetUtcNow(),
        };
        await _cache.StoreAsync(scope.Cache.Key!, entry);
        CacheLog.Stored(_logger, scope.RequestId, arm, entry.Body.Length);
    }
}
