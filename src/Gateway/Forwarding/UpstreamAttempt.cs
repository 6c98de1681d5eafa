using Router.Gateway.OpenAi;
using Router.Gateway.Usage;

namespace Router.Gateway.Forwarding;

/// <summary>How one attempt on one arm ended.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Retryable">True when another attempt (same or next arm) may be made: a transient failure before the first byte.</param>
/// <param name="Reason">Short text for logs and traces.</param>
/// <param name="Error">The client's error when this attempt is the last.</param>
/// <param name="Meter">The response meter when a response started.</param>
/// <param name="Exception">The forwarder's exception, if any.</param>
/// <param name="UpstreamStatus">The upstream's HTTP status when it answered.</param>
internal sealed record UpstreamAttempt(
    RequestOutcome Outcome, bool Retryable, string Reason, OpenAiError? Error, MeteredResponseStream? Meter, Exception? Exception, int? UpstreamStatus = null)
{
    /// <summary>The upstream's <c>Retry-After</c> on an error answer, passed on to the client when this attempt is the last.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Whether the attempt counts against the arm's health: 5xx, 429, timeouts and connection failures. Client
    /// cancellations and the upstream's 4xx verdicts on the request are not the arm's fault.
    /// </summary>
    public bool CountsAsArmFailure => Outcome switch
    {
        RequestOutcome.UpstreamTimeout or RequestOutcome.UpstreamUnavailable => true,
        RequestOutcome.UpstreamError => UpstreamStatus is null or >= 500 or 429,
        _ => false,
    };
}
