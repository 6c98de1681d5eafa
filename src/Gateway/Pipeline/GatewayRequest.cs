using System.Text.Json.Nodes;
using Router.Core.Routing;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Pipeline;

/// <summary>
/// One validated request, whatever protocol it came in on (docs/request-pipeline.md). The inbound adapter fills it;
/// every pipeline step (limits, cache, decision, forward, metering, observers) reads only this. The forwarded
/// <see cref="Body"/> is in the OpenAI wire form (the lingua franca of LiteLLM-style gateways): for an OpenAI client
/// it is the client's own body, passed through with <c>model</c> rewritten; for the Responses and Anthropic surfaces
/// it is the adapter's translation, and the answer is translated back at the client edge
/// (<see cref="ClientTranslator"/>). Outbound adapters (Azure, Anthropic, simulated) translate it further per arm.
/// </summary>
public sealed record GatewayRequest
{
    /// <summary>Which operation (chat, legacy completions, embeddings); Responses and Messages are chat.</summary>
    public required OpenAiOperation Operation { get; init; }

    /// <summary>The protocol the client spoke (its errors and answers are written in it).</summary>
    public InboundProtocol Inbound { get; init; } = InboundProtocol.OpenAi;

    /// <summary>The forwarded body in the OpenAI wire form, without the gateway's own fields; copied and rewritten per attempt.</summary>
    public required JsonObject Body { get; init; }

    /// <summary>The client's <c>model</c> (after the inbound adapter's alias map).</summary>
    public required string Model { get; init; }

    /// <summary>Whether the client asked for an SSE stream.</summary>
    public bool Stream { get; init; }

    /// <summary>
    /// Whether a streaming client asked for the usage chunk itself (<c>stream_options.include_usage</c>). The gateway
    /// always asks upstream; when the client did not, the usage-only chunk is kept from it, as OpenAI would.
    /// </summary>
    public bool ClientWantsStreamUsage { get; init; }

    /// <summary>The text the router sees (DESIGN.md step 2): system text as context, then the last user turn.</summary>
    public required string QueryText { get; init; }

    /// <summary>All prompt text (every message), for counting prompt tokens when the upstream reports none.</summary>
    public required string PromptText { get; init; }

    /// <summary>Per-request routing knobs from the body's <c>router</c> field and the <c>x-router-*</c> headers.</summary>
    public RoutingPolicy RequestPolicy { get; init; } = new();

    /// <summary>
    /// The client-edge translator of a non-OpenAI surface: it wraps the response body, turns the OpenAI-form answer
    /// (JSON, SSE or error envelope) into the client's protocol; null for OpenAI clients (bytes pass untouched).
    /// </summary>
    public ClientResponseTranslator? ClientTranslator { get; init; }

    /// <summary>
    /// The end user as the client names them, in clear (OpenAI <c>user</c>; Anthropic and Responses
    /// <c>metadata.user_id</c>): each inbound adapter sets it; null when the client sent none. Used only to derive the
    /// personalisation key (<see cref="Personalisation.UserKeys"/>, hashed with <c>Router:Privacy:HashUsers</c>); never logged.
    /// </summary>
    public string? UserId { get; init; }
}
