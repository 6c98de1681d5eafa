namespace Router.Gateway.OpenAi;

/// <summary>The forwarded OpenAI operations.</summary>
public enum OpenAiOperation
{
    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    ChatCompletions,

    /// <summary><c>POST /v1/completions</c> (legacy text completions).</summary>
    Completions,

    /// <summary><c>POST /v1/embeddings</c>.</summary>
    Embeddings,
}
