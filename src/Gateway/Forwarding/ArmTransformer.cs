using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Router.Core.Arms;
using Router.Core.Routing;
using Router.Gateway.Arms;
using Router.Gateway.Caching;
using Router.Gateway.OpenAi;
using Router.Gateway.Usage;
using Yarp.ReverseProxy.Forwarder;

namespace Router.Gateway.Forwarding;

/// <summary>
/// The YARP transform for one attempt on one arm: targets the arm's URL (Azure: deployment path and api-version),
/// swaps the client's credentials for the arm's, and on the way back either lets a 2xx response through (adding the
/// router headers before the first byte and metering the body) or holds back an error response so the caller can
/// fall back to the next arm or map the error. One instance per attempt; not thread-safe.
/// </summary>
internal sealed class ArmTransformer : HttpTransformer
{
    /// <summary>Largest upstream error body read for its message.</summary>
    private const int MaxErrorBody = 64 * 1024;

    private static readonly string[] StrippedRequestHeaders =
    [
        HeaderNames.Authorization, "api-key", "OpenAI-Organization", "OpenAI-Project", HeaderNames.Cookie,

        // An Anthropic client's gateway key and protocol headers (the arm's own are added for native arms).
        "x-api-key", "anthropic-version", "anthropic-beta",

        // Identity encoding upstream, so the gateway can read usage from the body as it passes.
        HeaderNames.AcceptEncoding,
    ];

    private readonly CatalogArm _arm;
    private readonly OpenAiOperation _operation;
    private readonly string _apiVersion;
    private readonly string? _apiKey;
    private readonly RoutingDecision _decision;
    private readonly bool _fallback;
    private readonly bool _hideUsageChunk;
    private readonly TimeProvider _time;

    public ArmTransformer(CatalogArm arm, OpenAiOperation operation, string apiVersion, string? apiKey, RoutingDecision decision, bool fallback, bool hideUsageChunk, TimeProvider time)
    {
        _hideUsageChunk = hideUsageChunk;
        _arm = arm;
        _operation = operation;
        _apiVersion = arm.ApiVersion ?? apiVersion;
        _apiKey = apiKey;
        _decision = decision;
        _fallback = fallback;
        _time = time;
    }

    /// <summary>The arm that failed first when this attempt is a fallback (sent as <c>x-router-fallback-from</c>).</summary>
    public string? FallbackFrom { get; init; }

    /// <summary>The <c>anthropic-version</c> sent to native Anthropic arms.</summary>
    public string AnthropicVersion { get; init; } = "2023-06-01";

    /// <summary>Where the body passed to the client is copied for the response cache; null when it is not to be stored.</summary>
    public ResponseCapture? Capture { get; init; }

    /// <summary>Called when the upstream's response headers arrive (disarms the first-byte timeout).</summary>
    public Action? ResponseArrived { get; init; }

    /// <summary>The upstream's error status, when it answered one (the response was then not passed on).</summary>
    public int? UpstreamErrorStatus { get; private set; }

    /// <summary>True when the client asked for a stream: a 2xx must then be <c>text/event-stream</c>, else JSON.</summary>
    public bool ExpectEventStream { get; init; }

    /// <summary>
    /// Why a 2xx response was not passed on (its Content-Type was neither what the client asked for nor unset: an HTML
    /// page from a proxy, a JSON body where a stream was asked for; or a JSON body holding an error object, or not JSON:
    /// see <see cref="SuccessBody"/>); null otherwise.
    /// </summary>
    public string? InvalidResponse { get; private set; }

    /// <summary>The upstream's <c>Retry-After</c> on an error response, as a delay from now (null if absent or unreadable).</summary>
    public TimeSpan? UpstreamRetryAfter { get; private set; }

    /// <summary>The upstream's error body (truncated), when it answered an error.</summary>
    public byte[] UpstreamErrorBody { get; private set; } = [];

    /// <summary>The meter on the client body, once a 2xx response started to pass.</summary>
    public MeteredResponseStream? Meter { get; private set; }

    /// <summary>YARP needs a destination prefix; simulated arms never resolve it.</summary>
    public static string DestinationPrefix(CatalogArm arm) =>
        arm.Definition.Provider == ProviderKind.Simulated || arm.Definition.BaseUrl is null
            ? "http://simulated.invalid/"
            : arm.Definition.BaseUrl.GetLeftPart(UriPartial.Authority) + "/";

    /// <summary>The upstream URL for an operation on an arm.</summary>
    public static Uri TargetUri(CatalogArm arm, OpenAiOperation operation, string apiVersion)
    {
        var path = operation.RelativePath();
        var def = arm.Definition;
        if (def.Provider == ProviderKind.Simulated || def.BaseUrl is null)
        {
            return new Uri($"http://simulated.invalid/v1/{path}");
        }

        var baseUrl = def.BaseUrl.AbsoluteUri.TrimEnd('/');
        if (def.Provider == ProviderKind.Anthropic)
        {
            return new Uri($"{baseUrl}/v1/messages"); // baseUrl is the API root; the outbound adapter translates the body
        }

        return def.Provider == ProviderKind.AzureOpenAI
            ? new Uri($"{baseUrl}/openai/deployments/{Uri.EscapeDataString(def.EffectiveUpstreamModel)}/{path}?api-version={Uri.EscapeDataString(apiVersion)}")
            : new Uri($"{baseUrl}/{path}");
    }

    /// <summary>Sets the gateway's headers on the client response (all responses, errors included).</summary>
    public static void SetRouterHeaders(HttpResponse response, string? arm, RoutingDecision? decision, bool fallback, bool debug, string? fallbackFrom = null)
    {
        if (fallback && fallbackFrom is not null)
        {
            response.Headers[RouterHeaders.FallbackFrom] = fallbackFrom;
        }

        if (arm is not null)
        {
            response.Headers[RouterHeaders.Arm] = arm;
        }

        if (decision is null)
        {
            return;
        }

        response.Headers[RouterHeaders.Policy] = decision.Policy;
        if (fallback)
        {
            response.Headers[RouterHeaders.Fallback] = "true";
        }

        if (debug)
        {
            response.Headers[RouterHeaders.Decision] = DecisionJson(decision);
        }
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = TargetUri(_arm, _operation, _apiVersion);
        foreach (var name in StrippedRequestHeaders)
        {
            proxyRequest.Headers.Remove(name);
        }

        foreach (var header in httpContext.Request.Headers.Keys)
        {
            if (IsRouterHeader(header))
            {
                proxyRequest.Headers.Remove(header);
            }
        }

        // Headers the client names in Connection are hop-by-hop too (RFC 9110 §7.6.1); YARP drops Connection itself
        // but not the headers it lists.
        foreach (var value in httpContext.Request.Headers.Connection)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                proxyRequest.Headers.Remove(token);
            }
        }

        if (_arm.Definition.Provider == ProviderKind.Anthropic)
        {
            proxyRequest.Headers.TryAddWithoutValidation("anthropic-version", AnthropicVersion);
            if (!string.IsNullOrEmpty(_apiKey))
            {
                proxyRequest.Headers.TryAddWithoutValidation("x-api-key", _apiKey);
            }
        }
        else if (!string.IsNullOrEmpty(_apiKey))
        {
            if (_arm.Definition.Provider == ProviderKind.AzureOpenAI)
            {
                proxyRequest.Headers.TryAddWithoutValidation("api-key", _apiKey);
            }
            else
            {
                proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, "Bearer " + _apiKey);
            }
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            ResponseArrived?.Invoke();
        }

        if (proxyResponse is null)
        {
            // The request failed before a response (connect failure, timeout): the caller decides what the client sees.
            return false;
        }

        if (!proxyResponse.IsSuccessStatusCode)
        {
            UpstreamErrorStatus = (int)proxyResponse.StatusCode;
            UpstreamErrorBody = await ReadBoundedAsync(proxyResponse, cancellationToken);
            UpstreamRetryAfter = proxyResponse.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - _time.GetUtcNow(),
                _ => null,
            };
            return false;
        }

        // Nothing has reached the client yet: a body the client cannot parse is refused here (502, and the next arm
        // may serve it) rather than passed on as a 200.
        var mediaType = proxyResponse.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && !IsExpected(mediaType, ExpectEventStream))
        {
            InvalidResponse = $"answered {(int)proxyResponse.StatusCode} with Content-Type '{OpenAiError.Quote(mediaType)}' where {(ExpectEventStream ? "text/event-stream" : "application/json")} was expected";
            UpstreamErrorBody = await ReadBoundedAsync(proxyResponse, cancellationToken);
            return false;
        }

        // A body the upstream compressed although the gateway asked for identity cannot be read here: it goes on as sent.
        var encoded = IsEncoded(proxyResponse);
        if (!encoded)
        {
            // Half the arm's idle timeout (YARP restarted it when the headers came) for keep-alives before the first event.
            var (prefix, complete) = await SuccessBody.PeekAsync(proxyResponse, ExpectEventStream, _arm.Definition.Timeout / 2, _time, cancellationToken);
            var problem = ExpectEventStream
                ? SuccessBody.StreamProblem(prefix.Span, complete, _apiKey)
                : SuccessBody.JsonProblem(prefix.Span, complete, _apiKey);
            if (problem is not null)
            {
                InvalidResponse = problem;
                UpstreamErrorBody = prefix.ToArray();
                return false;
            }
        }

        // The gateway set x-router-request-id before forwarding; YARP appends an upstream's header of the same name,
        // so an upstream could add a second request id (feedback to the wrong request) or forge the other x-router-*.
        var ownRouterHeaders = HasRouterHeader(proxyResponse)
            ? httpContext.Response.Headers.Where(h => IsRouterHeader(h.Key)).ToArray()
            : null;
        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (ownRouterHeaders is not null)
        {
            foreach (var header in proxyResponse.Headers.Concat(proxyResponse.Content.Headers))
            {
                if (IsRouterHeader(header.Key))
                {
                    httpContext.Response.Headers.Remove(header.Key);
                }
            }

            foreach (var (name, value) in ownRouterHeaders)
            {
                httpContext.Response.Headers[name] = value;
            }
        }

        var debug = httpContext.Request.Headers[RouterHeaders.Debug] == "1";
        SetRouterHeaders(httpContext.Response, _arm.Name, _decision, _fallback, debug, FallbackFrom);
        var contentType = proxyResponse.Content.Headers.ContentType?.MediaType;
        var parser = new ResponseUsageParser(contentType);
        var isStream = parser.IsEventStream;
        // Not captured when encoded: the cache keeps no response headers, so a hit would serve it without its Content-Encoding.
        Meter = new MeteredResponseStream(httpContext.Response.Body, parser, _time, dropUsageOnlyEvents: isStream && _hideUsageChunk, encoded ? null : Capture);
        httpContext.Response.Body = Meter;
        return true;
    }

    /// <summary>Whether the body has a Content-Encoding other than identity (gzip, br ...).</summary>
    private static bool IsEncoded(HttpResponseMessage response) =>
        response.Content.Headers.ContentEncoding.Any(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase));

    private static bool IsRouterHeader(string name) => name.StartsWith("x-router-", StringComparison.OrdinalIgnoreCase);

    private static bool HasRouterHeader(HttpResponseMessage response)
    {
        foreach (var header in response.Headers)
        {
            if (IsRouterHeader(header.Key))
            {
                return true;
            }
        }

        foreach (var header in response.Content.Headers)
        {
            if (IsRouterHeader(header.Key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsExpected(string mediaType, bool eventStream) =>
        eventStream
            ? mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            : mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBody);
            try
            {
                var total = 0;
                int read;
                while (total < MaxErrorBody && (read = await stream.ReadAsync(buffer.AsMemory(total, MaxErrorBody - total), cancellationToken)) > 0)
                {
                    total += read;
                }

                return buffer.AsSpan(0, total).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return [];
        }
    }

    private static string DecisionJson(RoutingDecision decision)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("policy", decision.Policy);
            writer.WriteNumber("propensity", decision.Propensity);
            writer.WriteStartArray("ranked");
            foreach (var arm in decision.RankedArms)
            {
                writer.WriteStringValue(arm);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("scores");
            foreach (var s in decision.Scores)
            {
                writer.WriteStartObject();
                writer.WriteString("arm", s.Arm);
                writer.WriteNumber("score", Round(s.Score));
                writer.WriteNumber("quality", Round(s.PredictedQuality));
                writer.WriteNumber("cost_usd", Round(s.PredictedCostUsd));
                writer.WriteNumber("bonus", Round(s.UncertaintyBonus));
                writer.WriteNumber("latency_penalty", Round(s.LatencyPenalty));
                writer.WriteNumber("personal", Round(s.PersonalTerm));
                if (s.ExcludedReason is not null)
                {
                    writer.WriteString("excluded", s.ExcludedReason);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        // Headers are ASCII: the writer escapes anything else by default.
        return System.Text.Encoding.ASCII.GetString(buffer.ToArray());
    }

    private static double Round(double v) => double.IsFinite(v) ? double.Parse(v.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : 0;
}
