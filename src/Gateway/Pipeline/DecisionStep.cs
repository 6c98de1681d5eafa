using System.Diagnostics;
using System.Globalization;
using System.Text;
using Router.Core.Arms;
using Router.Core.Routing;
using IRouter = Router.Core.Routing.IRouter;
using Router.Gateway.Arms;
using Router.Gateway.Auth;
using Router.Gateway.Learning;
using Router.Gateway.Logging;
using Router.Gateway.OpenAi;
using Router.Gateway.Personalisation;
using Router.Gateway.Resilience;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The decision step (DESIGN.md steps 1, 8): a named arm pins it (no fallback); <c>auto</c> asks the
/// <see cref="IRouter"/> over the enabled arms the caller's key allows whose circuit is closed. A router that throws
/// is replaced by price ranking for that request. Thread-safe.
/// </summary>
internal sealed class DecisionStep
{
    private readonly IArmCatalog _catalog;
    private readonly IRouter _router;
    private readonly ITokenCounter _tokens;
    private readonly ArmResilience _resilience;
    private readonly RoutingPolicy _defaultPolicy;
    private readonly IRoutingPolicySource? _policies;
    private readonly ILogger _logger;
    private readonly UserKeys? _users;

    public DecisionStep(IArmCatalog catalog, IRouter router, ITokenCounter tokens, ArmResilience resilience, RoutingPolicy defaultPolicy,
        IRoutingPolicySource? policies, ILogger logger, UserKeys? users = null)
    {
        _users = users;
        _catalog = catalog;
        _router = router;
        _tokens = tokens;
        _resilience = resilience;
        _defaultPolicy = defaultPolicy;
        _policies = policies;
        _logger = logger;
    }

    public async Task<(RoutingDecision? Decision, OpenAiError? Error)> DecideAsync(RequestScope scope)
    {
        var request = scope.Request;
        var key = scope.Key;
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
            return (new RoutingDecision { RequestId = scope.RequestId, RankedArms = [pinned.Name], Policy = "pinned" }, null);
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
                ? $"No enabled arm is tagged '{RequestPipeline.EmbeddingsTag}'; pin an embedding model by name or tag one."
                : "No enabled arm is available for routing."));
        }

        var routingRequest = new RoutingRequest
        {
            RequestId = scope.RequestId,
            QueryText = request.QueryText,
            PromptTokens = _tokens.CountTokens(request.PromptText),
            Candidates = candidates,
            // Request knobs over the key's own λ over the key's policy over the global one (shared registry).
            Policy = request.RequestPolicy
                .Over(new RoutingPolicy { Lambda = key?.Lambda })
                .Over(_policies?.For(scope.ApiKeyId) ?? _defaultPolicy),
            ApiKeyId = scope.ApiKeyId,
            UserId = _users?.ForRequest(request, scope.ApiKeyId),
        };

        using var span = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.RouteSpan);

        RoutingDecision decision;
        try
        {
            decision = await _router.RouteAsync(routingRequest, scope.Aborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken router must not take the gateway down: price ranking is always possible.
            GatewayLog.RouterFailed(_logger, scope.RequestId, ex);
            decision = await new CheapestArmRouter().RouteAsync(routingRequest, scope.Aborted);
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
            .Where(a => a.Enabled && a.Tags.Contains(RequestPipeline.EmbeddingsTag, StringComparer.OrdinalIgnoreCase) == wantEmbeddings)
            .ToList();
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
