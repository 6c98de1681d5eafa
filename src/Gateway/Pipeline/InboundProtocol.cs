namespace Router.Gateway.Pipeline;

/// <summary>The API surface a request came in on.</summary>
public enum InboundProtocol
{
    /// <summary>OpenAI chat completions, legacy completions and embeddings (<c>/v1/chat/completions</c> ...).</summary>
    OpenAi,

    /// <summary>The OpenAI Responses API (<c>/v1/responses</c>).</summary>
    Responses,

    /// <summary>The Anthropic Messages API (<c>/v1/messages</c>).</summary>
    Anthropic,
}
