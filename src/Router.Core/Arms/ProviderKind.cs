namespace Router.Core.Arms;

/// <summary>How the gateway talks to an arm's upstream.</summary>
public enum ProviderKind
{
    /// <summary>Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, Together, ...): <c>Authorization: Bearer</c>.</summary>
    OpenAI,

    /// <summary>Azure OpenAI: deployment in the path, <c>api-key</c> header, <c>api-version</c> query.</summary>
    AzureOpenAI,

    /// <summary>An in-process stand-in that answers in the OpenAI protocol; for the embedded default and tests.</summary>
    Simulated,

    /// <summary>
    /// The Anthropic Messages API: <c>{BaseUrl}/v1/messages</c> with <c>x-api-key</c> and <c>anthropic-version</c>;
    /// OpenAI-form requests are translated both ways by the gateway's Anthropic outbound adapter.
    /// </summary>
    Anthropic,
}
