using Router.Gateway.OpenAi;

namespace Router.Gateway.Auth;

/// <summary>The OpenAI-envelope errors of authentication, quotas and rate limits (codes as OpenAI's own API uses them).</summary>
public static class AccessErrors
{
    /// <summary>401: no bearer token while keys are enforced.</summary>
    public static OpenAiError MissingKey() => new(StatusCodes.Status401Unauthorized,
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (keys are issued by the gateway's admin API).",
        "invalid_request_error", null, "invalid_api_key");

    /// <summary>401: unknown or revoked key (the two are not distinguished, so a probe learns nothing).</summary>
    public static OpenAiError InvalidKey() => new(StatusCodes.Status401Unauthorized,
        "Incorrect or revoked API key provided.", "invalid_request_error", null, "invalid_api_key");

    /// <summary>401: no key exists yet and the client is not on loopback.</summary>
    public static OpenAiError LoopbackOnly() => new(StatusCodes.Status401Unauthorized,
        "This gateway has no client API keys yet and serves loopback clients only. Create a key with POST /admin/keys.",
        "invalid_request_error", null, "invalid_api_key");

    /// <summary>429 <c>insufficient_quota</c>: a spend cap is reached.</summary>
    public static OpenAiError QuotaExceeded(string period, double capUsd) => new(StatusCodes.Status429TooManyRequests,
        $"You exceeded your {period} spend cap of ${capUsd:0.######} for this API key.", "insufficient_quota", null, "insufficient_quota");

    /// <summary>429 <c>rate_limit_exceeded</c>.</summary>
    public static OpenAiError RateLimited(string limit, int perMinute, TimeSpan retryAfter) => new(StatusCodes.Status429TooManyRequests,
        $"Rate limit reached for this API key: {perMinute} {limit} per minute. Please try again in {Math.Ceiling(retryAfter.TotalSeconds)}s.",
        limit, null, "rate_limit_exceeded");

    /// <summary>403: the key may not use the pinned arm.</summary>
    public static OpenAiError ArmNotAllowed(string arm) => new(StatusCodes.Status403Forbidden,
        $"This API key is not allowed to use the model '{arm}'.", "invalid_request_error", "model", "model_not_allowed");

    /// <summary>403: none of the key's allowed arms can serve an <c>auto</c> request.</summary>
    public static OpenAiError NoAllowedArm() => new(StatusCodes.Status403Forbidden,
        "None of the models this API key may use can serve this request.", "invalid_request_error", "model", "model_not_allowed");

    /// <summary>503: the key store (Redis) cannot be reached.</summary>
    public static OpenAiError StoreUnavailable() => new(StatusCodes.Status503ServiceUnavailable,
        "The gateway cannot check API keys right now; please retry.", "service_unavailable", null, "key_store_unavailable");
}
