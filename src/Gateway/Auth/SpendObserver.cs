using Router.Gateway.RateLimiting;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;

namespace Router.Gateway.Auth;

/// <summary>
/// Charges each completed request to its key: cost to the spend ledger (day and month), prompt + completion tokens
/// to the tokens-per-minute window. Failures are logged and dropped (the request is already answered).
/// </summary>
internal sealed class SpendObserver(ISpendLedger spend, IClientRateLimiter limiter, ILogger<SpendObserver> logger) : IRequestObserver
{
    public async ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        if (completion.ApiKeyId is not { } keyId)
        {
            return;
        }

        try
        {
            if (completion.CostUsd > 0)
            {
                await spend.AddAsync(keyId, completion.CostUsd, cancellationToken);
            }

            var tokens = completion.PromptTokens + completion.CompletionTokens;
            if (tokens > 0)
            {
                await limiter.ChargeTokensAsync(keyId, tokens, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HardeningLog.ChargeFailed(logger, completion.RequestId, keyId, ex);
        }
    }
}
