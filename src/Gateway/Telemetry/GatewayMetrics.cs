using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;

namespace Router.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics (meter <see cref="GatewayTelemetry.SourceName"/>, created through <see cref="IMeterFactory"/>
/// so each host has its own instruments): requests, errors, latency (total and time to first token), tokens, cost,
/// per-arm traffic, fallbacks, retries, rejections (auth/limits), feedback, response-cache results, and the circuit
/// state per arm.
/// Prometheus names follow the instrument names with dots → underscores and unit suffixes. Thread-safe singleton.
/// </summary>
public sealed class GatewayMetrics
{
    // OpenTelemetry's default buckets (0 … 10,000) suit milliseconds; LLM latencies in seconds span 5 ms … minutes.
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _ttft;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _feedback;
    private readonly Counter<long> _cache;

    /// <summary>Creates the instruments (DI).</summary>
    public GatewayMetrics(IMeterFactory meterFactory, ArmResilience resilience)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(resilience);
        var meter = meterFactory.Create(GatewayTelemetry.SourceName);
        _requests = meter.CreateCounter<long>("router.requests", "{request}", "Completed /v1 requests by arm, operation, status and outcome (per-arm traffic share); a verifier cascade's replaced call counts with cascade=superseded.");
        _errors = meter.CreateCounter<long>("router.errors", "{request}", "Requests that did not succeed, by arm and outcome.");
        _duration = meter.CreateHistogram("router.request.duration", "s", "Total request time at the gateway.", tags: null, advice: SecondsBuckets);
        _ttft = meter.CreateHistogram("router.time_to_first_token", "s", "Time from arrival to the first response byte sent to the client.", tags: null, advice: SecondsBuckets);
        _tokens = meter.CreateCounter<long>("router.tokens", "{token}", "Tokens by arm and kind (prompt, completion).");
        _cost = meter.CreateCounter<double>("router.cost", "USD", "Cost at the arms' configured prices.");
        _fallbacks = meter.CreateCounter<long>("router.fallbacks", "{request}", "Requests served by a fallback arm, by the arm that failed first.");
        _rejections = meter.CreateCounter<long>("router.rejections", "{request}", "Requests refused before routing (auth, spend caps, rate limits), by reason.");
        _feedback = meter.CreateCounter<long>("router.feedback", "{event}", "Feedback events accepted, by kind.");
        _cache = meter.CreateCounter<long>("router.cache.requests", "{request}", "Requests by response-cache result (hit, miss, bypass) and operation; only while the cache is on.");
        meter.CreateObservableGauge("router.circuit.state", () => CircuitStates(resilience), "{state}",
            "Per-arm circuit: 0 closed, 1 half-open, 2 open, 3 isolated.");
    }

    /// <summary>Records a completed request (called by the metrics observer).</summary>
    public void RecordCompletion(RequestCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var arm = completion.Arm ?? "none";
        var outcome = completion.Outcome.ToString();
        var hit = completion.Outcome == RequestOutcome.CacheHit;
        if (completion.Cache is { } cache)
        {
            _cache.Add(1, new("result", cache.ToString().ToLowerInvariant()), new("operation", completion.Operation.ToString()));
        }

        _requests.Add(1,
            new("arm", arm), new("operation", completion.Operation.ToString()),
            new("status", completion.StatusCode), new("outcome", outcome), new("fallback", completion.FallbackUsed),
            new("cascade", completion.Superseded ? "superseded" : completion.Cascade.Count > 0 ? "served" : "none"));
        if (completion.Outcome is not (RequestOutcome.Succeeded or RequestOutcome.CacheHit))
        {
            _errors.Add(1, new("arm", arm), new("outcome", outcome));
        }

        // A hit's latency is the cache's, not the arm's: it is recorded under arm "cache" so arm latencies stay honest.
        var latencyArm = hit ? "cache" : arm;
        _duration.Record(completion.Duration.TotalSeconds, new KeyValuePair<string, object?>("arm", latencyArm), new("streamed", completion.Streamed));
        if (completion.TimeToFirstByte is { } ttfb)
        {
            _ttft.Record(ttfb.TotalSeconds, new KeyValuePair<string, object?>("arm", latencyArm), new("streamed", completion.Streamed));
        }

        if (completion.PromptTokens > 0)
        {
            _tokens.Add(completion.PromptTokens, new("arm", arm), new("kind", "prompt"));
        }

        if (completion.CompletionTokens > 0)
        {
            _tokens.Add(completion.CompletionTokens, new("arm", arm), new("kind", "completion"));
        }

        if (completion.CostUsd > 0)
        {
            _cost.Add(completion.CostUsd, new KeyValuePair<string, object?>("arm", arm));
        }

        if (completion.FallbackUsed && completion.AttemptedArms.Count > 0)
        {
            _fallbacks.Add(1, new("from", completion.AttemptedArms[0]), new("to", arm));
        }
    }

    /// <summary>Counts a request refused before routing (<c>invalid_key</c>, <c>insufficient_quota</c>, <c>rate_limited_requests</c> ...).</summary>
    public void RecordRejection(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts one accepted feedback event of <paramref name="kind"/> (e.g. <c>refined</c>, <c>binary</c>).</summary>
    public void RecordFeedback(string kind) => _feedback.Add(1, new KeyValuePair<string, object?>("kind", kind));

    private static IEnumerable<Measurement<int>> CircuitStates(ArmResilience resilience) =>
        resilience.States.Select(s => new Measurement<int>(
            s.Value switch
            {
                CircuitState.Closed => 0,
                CircuitState.HalfOpen => 1,
                CircuitState.Open => 2,
                _ => 3,
            },
            new KeyValuePair<string, object?>("arm", s.Key)));
}
