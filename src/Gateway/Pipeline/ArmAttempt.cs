using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.CircuitBreaker;
using Router.Core.Routing;
using Router.Gateway.Arms;
using Router.Gateway.Caching;
using Router.Gateway.Forwarding;
using Router.Gateway.OpenAi;
using Router.Gateway.Resilience;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;
using Yarp.ReverseProxy.Forwarder;

namespace Router.Gateway.Pipeline;

/// <summary>
/// One try on one arm (DESIGN.md step 9): the arm's Polly pipeline (jittered retries only while nothing reached the
/// client, inside the arm's circuit breaker) around one YARP forward with the body passthrough + <c>model</c> rewrite.
/// The outbound adapter is the arm's <see cref="HttpMessageInvoker"/> (<see cref="IUpstreamInvokers"/>): a socket
/// handler for OpenAI-compatible and Azure arms, a translating handler for Anthropic and simulated arms, so every arm
/// answers this step in the OpenAI wire form. Thread-safe.
/// </summary>
internal sealed class ArmAttempt
{
    private readonly IHttpForwarder _forwarder;
    private readonly IUpstreamInvokers _invokers;
    private readonly ArmResilience _resilience;
    private readonly string _azureApiVersion;
    private readonly TimeProvider _time;

    private readonly string _anthropicVersion;

    public ArmAttempt(IHttpForwarder forwarder, IUpstreamInvokers invokers, ArmResilience resilience, string azureApiVersion, string anthropicVersion, TimeProvider time)
    {
        _anthropicVersion = anthropicVersion;
        _forwarder = forwarder;
        _invokers = invokers;
        _resilience = resilience;
        _azureApiVersion = azureApiVersion;
        _time = time;
    }

    /// <summary>
    /// One arm through its resilience pipeline. An open circuit answers at once with a retryable <c>circuit_open</c>
    /// attempt, so the caller falls back to the next arm.
    /// </summary>
    public async Task<UpstreamAttempt> RunAsync(RequestScope scope, CatalogArm arm, RoutingDecision decision, List<string> attempted, ResponseCapture? capture)
    {
        var context = scope.Context;
        var cancellationToken = scope.Aborted;
        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        resilienceContext.Properties.Set(ArmResilience.RequestIdKey, scope.RequestId);
        var tries = 0;
        try
        {
            return await _resilience.PipelineFor(arm.Name).ExecuteAsync(
                async ctx =>
                {
                    if (tries++ > 0 && !context.Response.HasStarted)
                    {
                        context.Response.Clear();
                        context.Response.Headers[RouterHeaders.RequestId] = scope.RequestId;
                    }

                    using var span = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.UpstreamSpan, ActivityKind.Client);
                    span?.SetTag("router.request_id", scope.RequestId);
                    span?.SetTag("router.arm", arm.Name);
                    span?.SetTag("router.attempt", tries);
                    span?.SetTag("router.fallback", attempted.Count > 1);
                    var attempt = await ForwardOnceAsync(context, scope.Request, arm, decision, attempted.Count > 1 ? attempted[0] : null, capture, ctx.CancellationToken);
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

    private async Task<UpstreamAttempt> ForwardOnceAsync(
        HttpContext context, GatewayRequest request, CatalogArm arm, RoutingDecision decision, string? fallbackFrom, ResponseCapture? capture, CancellationToken cancellationToken)
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
        var transformer = new ArmTransformer(arm, request.Operation, _azureApiVersion, apiKey, decision, fallback,
            hideUsageChunk: request.Stream && !request.ClientWantsStreamUsage, _time)
        {
            FallbackFrom = fallbackFrom,
            AnthropicVersion = _anthropicVersion,
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

        return Outcome(context, arm, transformer, apiKey, error, firstByte.IsCancellationRequested, total.IsCancellationRequested, cancellationToken);
    }

    private static UpstreamAttempt Outcome(HttpContext context, CatalogArm arm, ArmTransformer transformer, string? apiKey, ForwarderError error,
        bool firstByteTimedOut, bool totalTimedOut, CancellationToken cancellationToken)
    {
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

        var gatewayTimeout = firstByteTimedOut || totalTimedOut;
        if (!gatewayTimeout && (cancellationToken.IsCancellationRequested || error is ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient))
        {
            return new UpstreamAttempt(RequestOutcome.ClientCancelled, false, "client cancelled", null, transformer.Meter, null);
        }

        var started = context.Response.HasStarted;
        // ResponseHeaders with a cancellation: YARP's idle timeout (the arm's TimeoutSeconds) fired while the transform
        // read the start of the body (SuccessBody's peek: headers came, the first event did not).
        var timedOut = gatewayTimeout || error == ForwarderError.RequestTimedOut ||
            (error is ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseHeaders && exception is OperationCanceledException);
        var which = firstByteTimedOut ? "first byte" : totalTimedOut ? "total" : error.ToString();
        return timedOut
            ? new UpstreamAttempt(RequestOutcome.UpstreamTimeout, !started, $"timeout ({which})", OpenAiError.UpstreamTimeout(arm.Name), transformer.Meter, exception)
            : new UpstreamAttempt(RequestOutcome.UpstreamUnavailable, !started, $"forwarder error {error}", OpenAiError.UpstreamUnavailable(arm.Name), transformer.Meter, exception);
    }

    /// <summary>The body for one arm: <c>model</c> rewritten to the upstream model; streams always ask for usage.</summary>
    private static byte[] RewriteBody(GatewayRequest request, CatalogArm arm)
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
}
