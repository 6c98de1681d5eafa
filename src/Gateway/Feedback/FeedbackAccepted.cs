using System.Text.Json.Serialization;

namespace Router.Gateway.Feedback;

/// <summary>The 202 body of <c>POST /v1/feedback</c>.</summary>
/// <param name="RequestId">The request the feedback is for.</param>
/// <param name="Arm">The arm it is credited to (the decision's chosen arm).</param>
/// <param name="Kind">The log kind (<c>feedback-score</c> or <c>feedback-thumbs</c>).</param>
/// <param name="Status"><c>appended</c>, <c>duplicate</c> (a retry: counted once) or <c>buffered</c> (Redis down; on local disk until flushed).</param>
/// <param name="LogId">The log entry id, when known.</param>
public sealed record FeedbackAccepted(
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("arm")] string Arm,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("log_id")] string? LogId);
