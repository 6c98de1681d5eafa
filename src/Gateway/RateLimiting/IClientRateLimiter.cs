namespace Router.Gateway.RateLimiting;

/// <summary>
/// Per-key requests-per-minute and tokens-per-minute limits as sliding-window counters over one-minute windows (window =
/// UTC minute of the injected <see cref="TimeProvider"/>; the estimate over the last minute is
/// <c>current + previous × (1 − elapsed fraction)</c>, see <see cref="RateWindow"/>). A request is admitted when the
/// requests estimate + 1 is within its limit and the tokens estimate is under its limit; admitting counts the request.
/// Tokens are charged after the request (<see cref="ChargeTokensAsync"/>) because only then are they known, so one
/// request may overshoot; the next ones are refused until the estimate decays. A refusal carries the time until the
/// estimate would admit the request. <see cref="RedisClientRateLimiter"/> shares the windows across replicas.
/// Implementations are thread-safe.
/// </summary>
public interface IClientRateLimiter
{
    /// <summary>Checks both limits and, when admitted, counts one request. Null or non-positive limits are not enforced.</summary>
    ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken);

    /// <summary>Adds a finished request's tokens to the current window.</summary>
    ValueTask ChargeTokensAsync(string keyId, int tokens, CancellationToken cancellationToken);
}
