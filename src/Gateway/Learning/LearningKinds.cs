namespace Router.Gateway.Learning;

/// <summary>
/// The <see cref="Router.Core.State.LogEntry.Kind"/>s the gateway appends. One idempotency key per (request id, kind)
/// (<see cref="Router.Core.State.IdempotencyKeys.For"/>), so a retried feedback or a re-published usage is counted once;
/// a score and a thumbs for the same request are two kinds and both count.
/// </summary>
public static class LearningKinds
{
    /// <summary>A refined score (0..1) from <c>POST /v1/feedback</c>.</summary>
    public const string FeedbackScore = "feedback-score";

    /// <summary>Thumbs up/down from <c>POST /v1/feedback</c>.</summary>
    public const string FeedbackThumbs = "feedback-thumbs";

    /// <summary>A completed upstream call (length and latency learning, spend counters).</summary>
    public const string Usage = "usage";

    /// <summary>An arm joined the catalog (cold-start state).</summary>
    public const string ArmAdded = "arm-added";

    /// <summary>An arm left the catalog (its state is dropped).</summary>
    public const string ArmRemoved = "arm-removed";

    /// <summary>A user was forgotten (<c>DELETE /admin/users/{id}</c>): every replica drops their personal state.</summary>
    public const string UserForgotten = "user-forgotten";
}
