using Router.Gateway.Forwarding;
using Router.Gateway.Usage;

namespace Gateway.Tests.Resilience;

/// <summary>Attempt outcomes the resilience tests feed to an arm's pipeline.</summary>
internal static class Attempts
{
    public static readonly UpstreamAttempt Ok = new(RequestOutcome.Succeeded, false, "ok", null, null, null, 200);

    /// <summary>A 5xx before the first byte: retryable, counts against the arm.</summary>
    public static readonly UpstreamAttempt Failed500 = new(RequestOutcome.UpstreamError, true, "status 500", null, null, null, 500);

    /// <summary>The upstream's verdict on the request: not retried, not the arm's fault.</summary>
    public static readonly UpstreamAttempt Failed400 = new(RequestOutcome.UpstreamError, false, "status 400", null, null, null, 400);

    /// <summary>A failure after bytes reached the client: never retried.</summary>
    public static readonly UpstreamAttempt FailedAfterFirstByte = new(RequestOutcome.UpstreamUnavailable, false, "cut", null, null, null);
}
