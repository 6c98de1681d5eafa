namespace Router.Gateway.RateLimiting;

/// <summary>The answer of <see cref="IClientRateLimiter"/>: allowed, or which limit refused and when to retry.</summary>
/// <param name="Allowed">True when the request may proceed (and was counted).</param>
/// <param name="RetryAfter">
/// When refused: the time until the sliding-window estimate would admit this request if nothing else were counted
/// meanwhile (exact to the millisecond; the middleware rounds it up to whole seconds, at least 1). Zero when allowed.
/// </param>
/// <param name="Limit"><c>requests</c> or <c>tokens</c> when refused.</param>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter, string? Limit)
{
    /// <summary>Allowed.</summary>
    public static RateLimitDecision Allow => new(true, TimeSpan.Zero, null);

    /// <summary>
    /// Decides on both limits from the counts of the current and the previous window. Null or non-positive limits are not
    /// enforced. When both refuse, the wait is the longer one and <see cref="Limit"/> names the limit that imposes it
    /// (requests on a tie).
    /// </summary>
    internal static RateLimitDecision From(
        RateWindow window,
        int? requestsPerMinute,
        long requests,
        long previousRequests,
        int? tokensPerMinute,
        long tokens,
        long previousTokens)
    {
        var requestsWait = requestsPerMinute is > 0 and var rpm
            ? window.WaitUntilAdmitted(requests, previousRequests, RateWindow.RequestBudget(rpm))
            : TimeSpan.Zero;
        var tokensWait = tokensPerMinute is > 0 and var tpm
            ? window.WaitUntilAdmitted(tokens, previousTokens, RateWindow.TokenBudget(tpm))
            : TimeSpan.Zero;
        if (requestsWait == TimeSpan.Zero && tokensWait == TimeSpan.Zero)
        {
            return Allow;
        }

        return tokensWait > requestsWait
            ? new RateLimitDecision(false, tokensWait, "tokens")
            : new RateLimitDecision(false, requestsWait, "requests");
    }
}
