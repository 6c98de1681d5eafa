using System.Globalization;
using System.Net;
using Router.Gateway.Protocols.Anthropic;
using Router.Gateway.RateLimiting;
using Router.Gateway.Telemetry;

namespace Router.Gateway.Auth;

/// <summary>
/// Guards <c>/v1/*</c>: with no active key, only loopback clients are served; otherwise a valid bearer key is
/// required (401), and completion requests (POST) must be under the key's spend caps (429 <c>insufficient_quota</c>)
/// and rate limits (429 <c>rate_limit_exceeded</c> with <c>Retry-After</c>). Auth fails closed when the key store is
/// unreachable (503); spend and rate checks fail open (logged), so a Redis blip does not stop paid traffic that is
/// already authenticated by the local key cache. Refusals are written in the caller's protocol: Anthropic's envelope
/// on <c>/v1/messages</c> (<c>authentication_error</c>, <c>rate_limit_error</c> …), OpenAI's elsewhere.
/// </summary>
internal sealed class ClientAccessMiddleware(
    RequestDelegate next,
    IApiKeyStore keys,
    ISpendLedger spend,
    IClientRateLimiter limiter,
    GatewayMetrics metrics,
    ILogger<ClientAccessMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var cancellationToken = context.RequestAborted;
        ClientApiKey? key;
        try
        {
            if (!await keys.HasActiveKeysAsync(cancellationToken))
            {
                if (IsLoopback(context.Connection.RemoteIpAddress))
                {
                    await next(context);
                    return;
                }

                await RejectAsync(context, AccessErrors.LoopbackOnly(), "loopback_only");
                return;
            }

            var secret = BearerToken(context.Request);
            if (secret is null)
            {
                await RejectAsync(context, AccessErrors.MissingKey(), "missing_key");
                return;
            }

            key = await keys.FindBySecretHashAsync(ApiKeySecrets.Hash(secret), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HardeningLog.KeyStoreUnavailable(logger, context.Request.Path, ex);
            await RejectAsync(context, AccessErrors.StoreUnavailable(), "key_store_unavailable");
            return;
        }

        if (key is not { IsActive: true })
        {
            await RejectAsync(context, AccessErrors.InvalidKey(), "invalid_key");
            return;
        }

        context.Features.Set(new ClientKeyFeature(key));
        if (HttpMethods.IsPost(context.Request.Method) && !await AdmitAsync(context, key))
        {
            return;
        }

        await next(context);
    }

    private async Task<bool> AdmitAsync(HttpContext context, ClientApiKey key)
    {
        var cancellationToken = context.RequestAborted;
        if (key.DailySpendCapUsd is not null || key.MonthlySpendCapUsd is not null)
        {
            try
            {
                var totals = await spend.GetAsync(key.Id, cancellationToken);
                if (key.DailySpendCapUsd is { } day && totals.TodayUsd >= day)
                {
                    await RejectAsync(context, AccessErrors.QuotaExceeded("daily", day), "insufficient_quota");
                    return false;
                }

                if (key.MonthlySpendCapUsd is { } month && totals.MonthUsd >= month)
                {
                    await RejectAsync(context, AccessErrors.QuotaExceeded("monthly", month), "insufficient_quota");
                    return false;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                HardeningLog.LimitCheckFailed(logger, key.Id, "spend", ex);
            }
        }

        if (key.RequestsPerMinute is > 0 || key.TokensPerMinute is > 0)
        {
            try
            {
                var decision = await limiter.TryAcquireAsync(key.Id, key.RequestsPerMinute, key.TokensPerMinute, cancellationToken);
                if (!decision.Allowed)
                {
                    var perMinute = decision.Limit == "tokens" ? key.TokensPerMinute!.Value : key.RequestsPerMinute!.Value;
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    await RejectAsync(context, AccessErrors.RateLimited(decision.Limit!, perMinute, decision.RetryAfter), "rate_limited_" + decision.Limit);
                    return false;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                HardeningLog.LimitCheckFailed(logger, key.Id, "rate", ex);
            }
        }

        return true;
    }

    private async Task RejectAsync(HttpContext context, OpenAi.OpenAiError error, string reason)
    {
        metrics.RecordRejection(reason);
        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        // The middleware runs before the endpoint, so the protocol is known from the path alone: Anthropic clients
        // (their SDKs raise typed errors from error.type) get Anthropic's envelope, everyone else OpenAI's.
        if (AnthropicInbound.Serves(context.Request.Path))
        {
            await AnthropicInbound.WriteErrorAsync(context, error.Status, error.Message);
            return;
        }

        await error.WriteAsync(context.Response, context.RequestAborted);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // Anthropic clients send the key as x-api-key (Claude Code with ANTHROPIC_AUTH_TOKEN sends Bearer).
            var apiKey = request.Headers["x-api-key"].ToString().Trim();
            return apiKey.Length == 0 ? null : apiKey;
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
