namespace Router.Gateway.Usage;

/// <summary>How a forwarded request ended.</summary>
public enum RequestOutcome
{
    /// <summary>The upstream answered 2xx and the body reached the client.</summary>
    Succeeded,

    /// <summary>The upstream answered an error status (after any fallbacks).</summary>
    UpstreamError,

    /// <summary>The upstream did not answer in time.</summary>
    UpstreamTimeout,

    /// <summary>The upstream could not be reached, or broke off mid-response.</summary>
    UpstreamUnavailable,

    /// <summary>The client went away; the upstream call was cancelled.</summary>
    ClientCancelled,

    /// <summary>The request never reached an upstream (no arm available).</summary>
    Rejected,

    /// <summary>
    /// Answered 200 from the response cache: no upstream was called, nothing was paid (cost and tokens 0), and the
    /// engine's latency and length statistics are not fed (observers that learn from <see cref="Succeeded"/> skip it).
    /// </summary>
    CacheHit,
}
