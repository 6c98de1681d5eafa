using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using Router.Core.Routing;
using Router.Core.Verification;
using Router.Gateway.Caching;
using Router.Gateway.Decisions;
using Router.Gateway.Forwarding;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;
using Router.Gateway.Usage;

namespace Router.Gateway.Pipeline;

/// <summary>
/// The verifier cascade (<c>Router:Cascade</c>, docs/quality.md §4) for <c>auto</c> chat requests the engine routed:
/// the decision's arms answer into a buffer (fallback as usual), the checkpoint's verifier scores that answer (p), and
/// <see cref="CascadeRule"/> (the offline policy's rule) picks the stronger arm to escalate to and decides whether the
/// gain pays for it, <c>λ·(q̂_esc − p) &gt; ĉ_esc / c_ref</c>, with q̂, ĉ and λ from the decision. The client gets the
/// last answer (the earlier one when an escalation fails), with <c>x-router-cascade</c> saying what happened. Every
/// call is metered and billed; the superseded ones are published as <see cref="RequestCompletion.Superseded"/>.
/// Thread-safe.
/// </summary>
internal sealed partial class CascadeStep
{
    private readonly CascadeOptions _options;
    private readonly CascadeVerifier _verifier;
    private readonly FallbackForwarder _forward;
    private readonly CompletionPublisher _publisher;
    private readonly IDecisionStore _decisions;
    private readonly ILogger _logger;

    public CascadeStep(CascadeOptions options, CascadeVerifier verifier, FallbackForwarder forward, CompletionPublisher publisher, IDecisionStore decisions,
        ILogger logger)
    {
        _decisions = decisions;
        _options = options;
        _verifier = verifier;
        _forward = forward;
        _publisher = publisher;
        _logger = logger;
    }

    /// <summary>
    /// True for a routed chat request whose decision has the engine's per-arm scores (pinned and price-ranked ones have
    /// none), streaming only with <see cref="CascadeOptions.BufferStreaming"/>, while a verifier is loaded.
    /// </summary>
    public bool Applies(RequestScope scope, RoutingDecision decision) =>
        scope.Request.Operation == OpenAiOperation.ChatCompletions
        && decision.Scores.Count > 1
        && (!scope.Request.Stream || _options.BufferStreaming)
        && _verifier.Verifier is not null;

    public async Task RunAsync(RequestScope scope, RoutingDecision decision, ResponseCapture? capture)
    {
        var hops = new List<CascadeHop>();
        var superseded = new List<ArmsTried>();
        var served = await CallBufferedAsync(scope, decision, decision.RankedArms, capture);
        var servedIsLastCall = true;
        for (var e = 0; e < _options.MaxEscalations && served.Succeeded; e++)
        {
            var hop = await VerifyAsync(scope, decision, served);
            hops.Add(hop);
            if (hop.EscalatedTo is not { } next)
            {
                break;
            }

            CascadeLog.Escalating(_logger, scope.RequestId, hop.Arm, next, hop.Probability ?? double.NaN, hop.Threshold ?? double.NaN);
            scope.Response.Clear();
            scope.Response.Headers[RouterHeaders.RequestId] = scope.RequestId;
            var escalated = await CallBufferedAsync(scope, decision, [next], capture);
            if (!escalated.Succeeded && escalated.Tried.Last?.Outcome != RequestOutcome.ClientCancelled)
            {
                // A failed escalation costs the client nothing: it gets the answer already bought.
                var reason = escalated.Tried.Last?.Reason ?? "arm unavailable";
                CascadeLog.EscalationFailed(_logger, scope.RequestId, next, reason);
                hops[^1] = hop with { Note = $"escalation failed ({reason}); earlier answer served" };
                superseded.Add(escalated.Tried);
                servedIsLastCall = false;
                break;
            }

            superseded.Add(served.Tried);
            served = escalated;
        }

        if (served.Succeeded)
        {
            if (served.Tried.Arm!.Name != decision.ChosenArm)
            {
                await CreditServedArmAsync(scope, served.Tried.Arm.Name);
            }

            await DeliverAsync(scope, served, hops);
        }

        // Nothing cached unless the served answer is the last call's (the capture holds the last call's bytes).
        await _forward.EndAsync(scope, decision, servedIsLastCall ? capture : null, served.Tried, hops);
        foreach (var call in superseded)
        {
            await _forward.PublishSupersededAsync(scope, decision, call, hops);
        }
    }

    // The decision record names the arm that answered first before the client has the answer: feedback sent at once
    // is credited to it (UsageLearningObserver does the same for a fallback, after the response).
    private async Task CreditServedArmAsync(RequestScope scope, string served)
    {
        if (await _decisions.FindAsync(scope.RequestId, scope.Aborted) is { } record)
        {
            var ranked = record.Decision.RankedArms.Where(a => a != served).Prepend(served).ToArray();
            await _decisions.SaveAsync(record with { Decision = record.Decision with { RankedArms = ranked } }, scope.Aborted);
        }
    }

    // One call (with fallback over arms) whose response goes to a buffer instead of the client.
    private async Task<BufferedCall> CallBufferedAsync(RequestScope scope, RoutingDecision decision, IReadOnlyList<string> arms, ResponseCapture? capture)
    {
        var response = scope.Response;
        var client = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        ArmsTried tried;
        try
        {
            tried = await _forward.TryArmsAsync(scope, decision, arms, capture);
        }
        finally
        {
            response.Body = client;
        }

        return new BufferedCall(tried, response.StatusCode, [.. response.Headers], buffer.ToArray());
    }

    // Scores the served answer and applies the escalation rule to the decision's scores.
    private async Task<CascadeHop> VerifyAsync(RequestScope scope, RoutingDecision decision, BufferedCall call)
    {
        var arm = call.Tried.Arm!.Name;
        var scores = decision.Scores;
        var ranked = decision.RankedArms.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var quality = new double[scores.Count];
        var score = new double[scores.Count];
        var answered = -1;
        var maxCost = 0.0;
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            var self = string.Equals(s.Arm, arm, StringComparison.OrdinalIgnoreCase);
            answered = self ? i : answered;
            // Only arms the decision could serve (ranked: allowed, circuit closed, not excluded) may be escalated to.
            var eligible = s.ExcludedReason is null && ranked.Contains(s.Arm);
            quality[i] = eligible || self ? s.PredictedQuality : double.NaN;
            score[i] = eligible && !self ? s.Score : double.NaN;
            maxCost = Math.Max(maxCost, s.PredictedCostUsd);
        }

        if (answered < 0)
        {
            return new CascadeHop(arm, null, null, null, "arm not scored by the decision");
        }

        var (text, tokens) = Answer(scope.Request, call.Tried.Last!);
        double? p;
        try
        {
            p = await _verifier.ProbabilityAsync(scope.Request.QueryText, arm, text, tokens, scope.Aborted);
        }
        catch (OperationCanceledException) when (scope.Aborted.IsCancellationRequested)
        {
            return new CascadeHop(arm, null, null, null, "client left");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken verifier must not fail a request that already has an answer.
            CascadeLog.VerifierFailed(_logger, scope.RequestId, arm, ex);
            return new CascadeHop(arm, null, null, null, "verifier failed");
        }

        if (p is not { } probability)
        {
            return new CascadeHop(arm, null, null, null, "arm unknown to the verifier");
        }

        var escalation = CascadeRule.EscalationArm(quality, score, answered);
        if (escalation < 0)
        {
            return new CascadeHop(arm, probability, null, null, "no stronger arm");
        }

        // λ and c_ref exactly as the engine's score used them (MixLlmEngine.ScoreCore).
        var lambda = decision.Lambda ?? 1;
        var reference = _verifier.CostReference > 0 ? _verifier.CostReference : maxCost > 0 ? maxCost : 1;
        var target = scores[escalation];
        var threshold = CascadeRule.Threshold(lambda, target.PredictedQuality, target.PredictedCostUsd, reference);
        var escalate = CascadeRule.ShouldEscalate(lambda, probability, target.PredictedQuality, target.PredictedCostUsd, reference);
        return new CascadeHop(arm, probability, double.IsFinite(threshold) ? threshold : null, escalate ? target.Arm : null);
    }

    // The answer's text and completion tokens (the upstream's count, else the tokenizer's), from the call's meter.
    private (string Text, int Tokens) Answer(GatewayRequest request, UpstreamAttempt attempt)
    {
        var text = attempt.Meter?.Parser.Complete().CompletionText ?? "";
        var (_, tokens, _) = _publisher.Usage(request, attempt);
        return (text, tokens);
    }

    // Puts the buffered answer on the client response: its status, headers and bytes, plus what the cascade did.
    private static async Task DeliverAsync(RequestScope scope, BufferedCall call, List<CascadeHop> hops)
    {
        var response = scope.Response;
        response.Clear();
        response.StatusCode = call.Status;
        foreach (var (name, value) in call.Headers)
        {
            response.Headers[name] = value;
        }

        if (hops.Count > 0)
        {
            response.Headers[RouterHeaders.Cascade] = string.Join(", ", hops.Select(h => h.HeaderValue()));
            if (response.Headers[RouterHeaders.Decision] is { Count: 1 } json)
            {
                response.Headers[RouterHeaders.Decision] = WithCascade(json.ToString(), hops);
            }
        }

        try
        {
            await response.Body.WriteAsync(call.Body, scope.Aborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left while the cascade ran; the calls are still metered and published.
        }
    }

    // The debug decision JSON with a "cascade" array: one object per verification.
    private static string WithCascade(string decisionJson, List<CascadeHop> hops)
    {
        if (JsonNode.Parse(decisionJson) is not JsonObject decision)
        {
            return decisionJson;
        }

        var array = new JsonArray();
        foreach (var hop in hops)
        {
            array.Add(new JsonObject
            {
                ["arm"] = hop.Arm,
                ["p"] = hop.Probability,
                ["threshold"] = hop.Threshold,
                ["escalated_to"] = hop.EscalatedTo,
                ["note"] = hop.Note,
            });
        }

        decision["cascade"] = array;
        return decision.ToJsonString();
    }

    private sealed record BufferedCall(ArmsTried Tried, int Status, KeyValuePair<string, StringValues>[] Headers, byte[] Body)
    {
        public bool Succeeded => Tried.Last?.Outcome == RequestOutcome.Succeeded;
    }

    private static partial class CascadeLog
    {
        [LoggerMessage(1700, LogLevel.Information, "Request {RequestId}: cascade escalates from {Arm} to {Escalation} (p = {Probability:0.000} < threshold {Threshold:0.000})")]
        public static partial void Escalating(ILogger logger, string requestId, string arm, string escalation, double probability, double threshold);

        [LoggerMessage(1701, LogLevel.Warning, "Request {RequestId}: cascade escalation to {Arm} failed ({Reason}); the earlier answer is served")]
        public static partial void EscalationFailed(ILogger logger, string requestId, string arm, string reason);

        [LoggerMessage(1702, LogLevel.Warning, "Request {RequestId}: the answer verifier failed on {Arm}'s answer; the answer is served unverified")]
        public static partial void VerifierFailed(ILogger logger, string requestId, string arm, Exception exception);
    }
}
