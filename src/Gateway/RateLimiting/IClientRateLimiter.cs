namespace Router.Gateway.RateLimiting;

/// <summary>
/// Per-key requests-per-minute and tokens-per-minute limits in fixed one-minute windows (window = UTC minute of the
/// injected <see cref="TimeProvider"/>). A request is admitted when the window's request count is under its limit and
/// its token count is under its limit; admitting counts the request. Tokens are charged after the request
/// (<see cref="ChargeTokensAsync"/>) because only then are they known, so one request may overshoot; the next ones
/// in the window are refused. <see cref="RedisClientRateLimiter"/> shares the windows across replicas.
/// </summary>
public interface IClientRateLimiter
{
    /// <summary>Checks both limits and, when admitted, counts one request. Null or non-positive limits are not enforced.</summary>
    ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken);

    /// <summary>Adds a finished request's tokens to the current window.</summary>
    ValueTask ChargeTokensAsync(string keyId, int tokens, CancellationToken cancellationToken);
}
