using System.Text.Json.Nodes;
using Router.Core.Routing;

namespace Router.Gateway.OpenAi;

/// <summary>A validated OpenAI request: the body (to be rewritten per arm) and what routing needs from it.</summary>
public sealed record ParsedOpenAiRequest
{
    /// <summary>Which endpoint.</summary>
    public required OpenAiOperation Operation { get; init; }

    /// <summary>The request body without the gateway's own fields; copied and rewritten per attempt.</summary>
    public required JsonObject Body { get; init; }

    /// <summary>The client's <c>model</c>.</summary>
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
}
