using Router.Core.Routing;
using Router.Gateway.Caching;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Usage;

/// <summary>Everything the gateway knows about a finished request; published to every <see cref="IRequestObserver"/>.</summary>
public sealed record RequestCompletion
{
    /// <summary>The gateway's request id (<c>x-router-request-id</c>).</summary>
    public required string RequestId { get; init; }

    /// <summary>Which endpoint.</summary>
    public required OpenAiOperation Operation { get; init; }

    /// <summary>
    /// The arm that served (or last tried to serve) the request; null when none was tried. For a cache hit
    /// (<see cref="RequestOutcome.CacheHit"/>), the arm whose stored answer was served.
    /// </summary>
    public string? Arm { get; init; }

    /// <summary>The routing decision (policy <c>pinned</c> when the client named an arm).</summary>
    public required RoutingDecision Decision { get; init; }

    /// <summary>Prompt tokens: the upstream's count, or an estimate (see <see cref="UsageEstimated"/>).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Completion tokens: the upstream's count, or an estimate.</summary>
    public int CompletionTokens { get; init; }

    /// <summary>True when some token count was estimated by the gateway's tokenizer because the upstream gave none.</summary>
    public bool UsageEstimated { get; init; }

    /// <summary>Cost in USD at the arm's configured prices (0 for a cache hit: nothing was paid upstream).</summary>
    public double CostUsd { get; init; }

    /// <summary>Time from the request's arrival to the first response byte sent to the client; null when none was sent.</summary>
    public TimeSpan? TimeToFirstByte { get; init; }

    /// <summary>Time from the request's arrival to the end of the response.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>HTTP status sent to the client.</summary>
    public int StatusCode { get; init; }

    /// <summary>How it ended.</summary>
    public RequestOutcome Outcome { get; init; }

    /// <summary>Whether the response was an SSE stream.</summary>
    public bool Streamed { get; init; }

    /// <summary>True when an arm other than the first-ranked one served (after a failure before the first byte).</summary>
    public bool FallbackUsed { get; init; }

    /// <summary>The client key's id (<c>key_…</c>) when the request was authenticated; null on an open gateway.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>What the response cache did (<c>x-router-cache</c>); null when the cache is off.</summary>
    public ResponseCacheStatus? Cache { get; init; }

    /// <summary>The arms tried, in order.</summary>
    public IReadOnlyList<string> AttemptedArms { get; init; } = [];

    /// <summary>The verifier cascade's verifications so far (<c>Router:Cascade</c>); empty when no cascade ran.</summary>
    public IReadOnlyList<CascadeHop> Cascade { get; init; } = [];

    /// <summary>
    /// True for a cascade call whose answer the client did not get (a stronger arm's answer replaced it): metered and
    /// billed like any call, but not the request's outcome (no decision-log line, no feedback credit). A request
    /// publishes its superseded calls first, then one completion for the answer the client got.
    /// </summary>
    public bool Superseded { get; init; }

    /// <summary>
    /// Time from the request's arrival until the call of <see cref="Arm"/> began (the cascade's earlier calls); zero
    /// otherwise. Subtracted from <see cref="TimeToFirstByte"/> and <see cref="Duration"/> for the arm's own latency.
    /// </summary>
    public TimeSpan CallOffset { get; init; }
}
