using System.Text.Json;
using Router.Core.Learning;
using Router.Core.State;
using Router.Gateway.DecisionLog;
using Router.Gateway.Decisions;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;
using Router.Gateway.Protocols;

namespace Router.Gateway.Feedback;

/// <summary>
/// <c>POST /v1/feedback</c>: <c>{"request_id": "req_…", "score": 0..1}</c> (or an Anthropic message id, <c>msg_…</c>) (refined feedback: the chosen arm's
/// quality model) or <c>{"request_id": "req_…", "thumbs": "up"|"down"}</c> (binary feedback: the policy-gradient
/// head). The event goes to the shared learning log, idempotent by (request id, kind): 202 once it is durably
/// appended (or buffered on disk while Redis is down), 503 when the log refused it, 404 for an unknown or expired
/// request id, 400 for a bad body. Learning happens when the follower folds it (every replica).
/// </summary>
public static partial class FeedbackEndpoints
{
    // A feedback body is ~100 bytes; 64 KiB leaves room for any client's formatting.
    private const long MaxBodyBytes = 64 * 1024;
    private const int MaxRequestIdChars = 200;

    /// <summary>Maps <c>POST /v1/feedback</c>.</summary>
    public static IEndpointRouteBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/feedback", HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, IDecisionStore decisions, LearningEventWriter writer, ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var (request, error) = await ReadAsync(context.Request, cancellationToken);
        if (error is not null)
        {
            await error.WriteAsync(context.Response, cancellationToken);
            return;
        }

        DecisionRecord? record;
        try
        {
            record = await decisions.FindAsync(request!.RequestId, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogUnavailable(loggers.CreateLogger("Router.Gateway.Feedback"), request!.RequestId, ex.Message);
            context.Response.Headers.RetryAfter = "1";
            await new OpenAiError(StatusCodes.Status503ServiceUnavailable,
                "The decision record store is unreachable and this replica did not serve the request; retry later.",
                "service_unavailable", null, "decision_store_unavailable").WriteAsync(context.Response, cancellationToken);
            return;
        }

        if (record is null)
        {
            await new OpenAiError(StatusCodes.Status404NotFound,
                $"No decision is known for request id '{request.RequestId}' (unknown, or older than the feedback window).",
                "invalid_request_error", "request_id", "request_not_found").WriteAsync(context.Response, cancellationToken);
            return;
        }

        var decision = record.Decision;
        if (decision.Embedding.IsEmpty || decision.RankedArms.Count == 0)
        {
            await OpenAiError.InvalidRequest(
                $"Request '{request.RequestId}' was not routed by the engine (policy '{decision.Policy}'): feedback is learned for model 'auto' only.",
                "request_id", "not_routed").WriteAsync(context.Response, cancellationToken);
            return;
        }

        var arm = decision.ChosenArm;
        var embedding = decision.Embedding.ToArray();
        LearningEvent learningEvent = request.Score is { } score
            ? new RefinedFeedback { Arm = arm, RequestId = request.RequestId, Embedding = embedding, Score = score, User = decision.UserId }
            : new BinaryFeedback
            {
                Arm = arm,
                RequestId = request.RequestId,
                Embedding = embedding,
                Up = request.Up!.Value,
                Propensity = decision.Propensity,
                Candidates = decision.Scores.Count > 0 ? [.. decision.Scores.Select(s => s.Arm)] : [.. decision.RankedArms],
                User = decision.UserId,
            };
        var kind = request.Score is not null ? LearningKinds.FeedbackScore : LearningKinds.FeedbackThumbs;

        AppendResult result;
        try
        {
            result = await writer.AppendAsync(kind, request.RequestId, learningEvent, 0, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            LogUnavailable(loggers.CreateLogger("Router.Gateway.Feedback"), request.RequestId, ex.Message);
            result = new AppendResult(AppendStatus.Rejected, null);
        }

        if (!result.IsAccepted)
        {
            context.Response.Headers.RetryAfter = "1";
            await new OpenAiError(StatusCodes.Status503ServiceUnavailable,
                "The feedback could not be stored durably right now; retry later (retries are not double-counted).",
                "service_unavailable", null, "feedback_not_stored").WriteAsync(context.Response, cancellationToken);
            return;
        }

        if (context.RequestServices.GetService<IDecisionLog>() is { } decisionLog)
        {
            // After the durable append (the learning that matters); a decision-log failure must not refuse it.
            try
            {
                await decisionLog.AppendAsync(new DecisionLogRecord
                {
                    Type = DecisionLogRecord.FeedbackType,
                    RequestId = request.RequestId,
                    Time = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
                    KeyId = record.ApiKeyId,
                    Feedback = new DecisionFeedback(request.Score is not null ? "score" : "thumbs", request.Score ?? (request.Up!.Value ? 1 : 0),
                        context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()),
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StackExchange.Redis.RedisException or TimeoutException)
            {
                LogDecisionLogFailed(loggers.CreateLogger("Router.Gateway.Feedback"), request.RequestId, ex.Message);
            }
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await context.Response.WriteAsJsonAsync(new FeedbackAccepted(
            request.RequestId, arm, kind, result.Status.ToString().ToLowerInvariant(), result.Id?.ToString()), cancellationToken);
    }

    private static async Task<(FeedbackRequest? Request, OpenAiError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Read through the same bounded reader as /v1/* (the body was streamed into JsonDocument with no limit but
        // Kestrel's 30 MB), check every string is valid Unicode first (a lone surrogate or invalid UTF-8 in
        // request_id threw from GetString: a 500), and refuse duplicate keys (`"score":0.5,"score":0.1` was accepted
        // with the last one winning silently).
        var (body, readError) = await RequestBodyReader.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (readError is not null)
        {
            return (null, readError);
        }

        if (JsonStrings.FindInvalid(body) is { } invalid)
        {
            return (null, OpenAiError.InvalidRequest(invalid, null, "invalid_json"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return (null, OpenAiError.InvalidRequest("The body must be a JSON object: {\"request_id\": \"…\", \"score\": 0..1} or {\"request_id\": \"…\", \"thumbs\": \"up\"|\"down\"}.", null, "invalid_json"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, OpenAiError.InvalidRequest("The body must be a JSON object.", null, "invalid_json"));
            }

            if (!root.TryGetProperty("request_id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()))
            {
                return (null, OpenAiError.InvalidRequest("'request_id' is required: the x-router-request-id of the response.", "request_id", "missing_request_id"));
            }

            // An Anthropic message id (msg_…) names the same request as its x-router-request-id (req_…): feedback
            // by either reaches one decision record and one idempotency key.
            var requestId = ClientIds.ToRequestId(id.GetString()!);
            if (requestId.Length > MaxRequestIdChars)
            {
                return (null, OpenAiError.InvalidRequest(
                    $"'request_id' is longer than {MaxRequestIdChars} characters; send the x-router-request-id of the response.", "request_id", "request_not_found"));
            }

            // Anything else (a "comment", a "rating") would be acknowledged with 202 and then dropped: refuse it.
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("request_id" or "score" or "thumbs"))
                {
                    var name = property.Name.Length <= 64 ? property.Name : property.Name[..64] + "…";
                    return (null, OpenAiError.InvalidRequest(
                        $"Unrecognized feedback field '{name}'; send request_id with score (0..1) or thumbs (\"up\"/\"down\").", name, "unknown_parameter"));
                }
            }

            var hasScore = root.TryGetProperty("score", out var scoreElement) && scoreElement.ValueKind != JsonValueKind.Null;
            var hasThumbs = root.TryGetProperty("thumbs", out var thumbsElement) && thumbsElement.ValueKind != JsonValueKind.Null;
            if (hasScore == hasThumbs)
            {
                return (null, OpenAiError.InvalidRequest("Send exactly one of 'score' (0..1) or 'thumbs' (\"up\" or \"down\").", hasScore ? "thumbs" : "score", "invalid_feedback"));
            }

            if (hasScore)
            {
                if (scoreElement.ValueKind != JsonValueKind.Number || !scoreElement.TryGetDouble(out var score) || !double.IsFinite(score) || score < 0 || score > 1)
                {
                    return (null, OpenAiError.InvalidRequest("'score' must be a number between 0 and 1.", "score", "invalid_score"));
                }

                return (new FeedbackRequest(requestId, score, null), null);
            }

            var thumbs = thumbsElement.ValueKind == JsonValueKind.String ? thumbsElement.GetString() : null;
            return thumbs switch
            {
                "up" => (new FeedbackRequest(requestId, null, true), null),
                "down" => (new FeedbackRequest(requestId, null, false), null),
                _ => (null, OpenAiError.InvalidRequest("'thumbs' must be \"up\" or \"down\".", "thumbs", "invalid_thumbs")),
            };
        }
    }

    // A Responses API id (resp_X) names the decision of request req_X (ResponseIds): the same record, the same idempotency key.
    [LoggerMessage(51, LogLevel.Warning, "Feedback for {RequestId} not written to the decision log ({Reason})")]
    private static partial void LogDecisionLogFailed(ILogger logger, string requestId, string reason);

    [LoggerMessage(50, LogLevel.Warning, "Feedback for {RequestId} refused: learning log unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string requestId, string reason);

    private sealed record FeedbackRequest(string RequestId, double? Score, bool? Up);
}
