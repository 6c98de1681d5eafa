using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Router.Core.Routing;
using Router.Gateway.Usage;

namespace Router.Gateway.DecisionLog;

/// <summary>
/// Writes one decision record per routed request when it completes (decision, candidates, λ, propensity and
/// outcome together). Pinned requests (no routing decision) and cache hits (no new decision: the stored answer's
/// decision was logged when it was made) are not logged; nor are a cascade's superseded calls (the outcome is the
/// answer served, <see cref="DecisionOutcome.Arm"/>). A failure to write is logged and does not affect the client.
/// </summary>
public sealed partial class DecisionLogObserver(IDecisionLog log, IOptions<DecisionLogOptions> options, TimeProvider time, ILogger<DecisionLogObserver> logger) : IRequestObserver
{
    private readonly DecisionLogOptions _options = options.Value;

    /// <summary>SHA-256 of the UTF-8 query text, first 16 bytes in hex: equal prompts group without storing them.</summary>
    public static string HashPrompt(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text ?? ""))[..16]);

    /// <summary>The record for a completed routed request; null when it is not a routed decision.</summary>
    public static DecisionLogRecord? ToRecord(RequestCompletion completion, DateTimeOffset decidedAt, bool storeEmbedding)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var decision = completion.Decision;
        // A cascade's superseded call is not the request's outcome: the completion of the answer served is.
        if (decision.RankedArms.Count == 0 || decision.Policy is "pinned" or "none" || completion.Outcome == RequestOutcome.CacheHit || completion.Superseded)
        {
            return null;
        }

        return new DecisionLogRecord
        {
            RequestId = completion.RequestId,
            Time = decidedAt,
            KeyId = completion.ApiKeyId,
            PromptHash = decision.PromptHash,
            Prompt = decision.PromptText,
            Policy = decision.Policy,
            Lambda = decision.Lambda,
            ChosenArm = decision.ChosenArm,
            Propensity = decision.Propensity,
            PromptTokens = completion.PromptTokens,
            Candidates = [.. decision.Scores.Select(Candidate)],
            Outcome = new DecisionOutcome(completion.Arm, completion.StatusCode, completion.CostUsd, completion.Duration.TotalMilliseconds),
            Embedding = storeEmbedding && !decision.Embedding.IsEmpty ? decision.Embedding.ToArray() : null,
            Cascade = completion.Cascade.Count > 0 ? completion.Cascade : null,
        };
    }

    /// <inheritdoc />
    public async ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);

        // The decision time: the request's arrival (completion minus its duration) is what the decision saw.
        var record = ToRecord(completion, time.GetUtcNow() - completion.Duration, _options.StoreEmbeddings);
        if (record is null)
        {
            return;
        }

        try
        {
            await log.AppendAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StackExchange.Redis.RedisException or TimeoutException)
        {
            LogWriteFailed(logger, completion.RequestId, ex.Message);
        }
    }

    private static DecisionCandidate Candidate(ArmScore s) =>
        new(s.Arm, s.Score, s.PredictedQuality, s.PredictedCostUsd, s.UncertaintyBonus, s.LatencyPenalty, s.FeedbackTerm, s.ExcludedReason);

    [LoggerMessage(60, LogLevel.Warning, "Decision log: record for {RequestId} not written ({Reason})")]
    private static partial void LogWriteFailed(ILogger logger, string requestId, string reason);
}
