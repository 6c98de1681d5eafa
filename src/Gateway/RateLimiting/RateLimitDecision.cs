namespace Router.Gateway.RateLimiting;

/// <summary>The answer of <see cref="IClientRateLimiter"/>: allowed, or which limit refused and when to retry.</summary>
/// <param name="Allowed">True when the request may proceed (and was counted).</param>
/// <param name="RetryAfter">Time until the current window ends (zero when allowed).</param>
/// <param name="Limit"><c>requests</c> or <c>tokens</c> when refused.</param>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter, string? Limit)
{
    /// <summary>Allowed.</summary>
    public static RateLimitDecision Allow => new(true, TimeSpan.Zero, null);
}
