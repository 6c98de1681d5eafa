namespace Router.Gateway.DecisionLog;

/// <summary>
/// One line of the decision log. <c>type = "decision"</c>: the routed decision with its outcome (written when the
/// request completes); <c>type = "feedback"</c>: feedback that arrived later for <see cref="RequestId"/> (only
/// <see cref="Feedback"/> set). Readers join them by request id (<see cref="DecisionLogQuery"/>).
/// </summary>
public sealed record DecisionLogRecord
{
    /// <summary>The decision kind.</summary>
    public const string DecisionType = "decision";

    /// <summary>The feedback kind.</summary>
    public const string FeedbackType = "feedback";

    /// <summary><see cref="DecisionType"/> or <see cref="FeedbackType"/>.</summary>
    public string Type { get; init; } = DecisionType;

    /// <summary>The gateway request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>When the decision was taken (feedback: when it arrived).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The caller's key id; null on an open gateway.</summary>
    public string? KeyId { get; init; }

    /// <summary>SHA-256 prefix of the query text.</summary>
    public string? PromptHash { get; init; }

    /// <summary>The query text, only with <see cref="DecisionLogOptions.StorePrompts"/>.</summary>
    public string? Prompt { get; init; }

    /// <summary>The deciding policy (<c>mixllm</c>, or <c>cheapest</c> when the engine failed).</summary>
    public string? Policy { get; init; }

    /// <summary>λ of the decision.</summary>
    public double? Lambda { get; init; }

    /// <summary>The arm the logging policy chose (first ranked).</summary>
    public string? ChosenArm { get; init; }

    /// <summary>The probability that the logging policy chose <see cref="ChosenArm"/>.</summary>
    public double Propensity { get; init; } = 1;

    /// <summary>Prompt tokens the cost estimate used.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Every candidate with its score terms.</summary>
    public IReadOnlyList<DecisionCandidate> Candidates { get; init; } = [];

    /// <summary>How the request ended; null on a feedback record.</summary>
    public DecisionOutcome? Outcome { get; init; }

    /// <summary>The feedback (on a feedback record, or joined into a decision by a reader).</summary>
    public DecisionFeedback? Feedback { get; init; }

    /// <summary>The engine's projected embedding (with <see cref="DecisionLogOptions.StoreEmbeddings"/>).</summary>
    public float[]? Embedding { get; init; }

    /// <summary>
    /// The verifier cascade's verifications (<c>Router:Cascade</c>): p, threshold and escalation per hop; null when no
    /// cascade ran. <see cref="Outcome"/> is then the served answer's call; the superseded calls are billed but not logged.
    /// </summary>
    public IReadOnlyList<Usage.CascadeHop>? Cascade { get; init; }
}

/// <summary>One candidate arm of a decision.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Score">The total score.</param>
/// <param name="PredictedQuality">p̂.</param>
/// <param name="PredictedCostUsd">ĉ.</param>
/// <param name="UncertaintyBonus">α·bonus.</param>
/// <param name="LatencyPenalty">β·penalty.</param>
/// <param name="FeedbackTerm">λ·κ·s^df.</param>
/// <param name="ExcludedReason">Why it could not be chosen; null when eligible.</param>
public sealed record DecisionCandidate(
    string Arm, double Score, double PredictedQuality, double PredictedCostUsd, double UncertaintyBonus = 0, double LatencyPenalty = 0,
    double FeedbackTerm = 0, string? ExcludedReason = null);

/// <summary>How a logged request ended.</summary>
/// <param name="Arm">The arm that served (a fallback when the chosen one failed); null when none was tried.</param>
/// <param name="Status">The HTTP status sent.</param>
/// <param name="CostUsd">The cost at the arm's prices.</param>
/// <param name="LatencyMs">Arrival to the end of the response.</param>
public sealed record DecisionOutcome(string? Arm, int Status, double CostUsd, double LatencyMs);

/// <summary>Feedback on a logged request.</summary>
/// <param name="Kind"><c>score</c> (refined, 0..1) or <c>thumbs</c> (1 up, 0 down).</param>
/// <param name="Score">The score in [0, 1].</param>
/// <param name="Time">When it arrived.</param>
public sealed record DecisionFeedback(string Kind, double Score, DateTimeOffset Time);
