namespace Router.Gateway.OpenAi;

/// <summary>Paths of the <see cref="OpenAiOperation"/>s.</summary>
public static class OpenAiOperationExtensions
{
    /// <summary>The path below the API root (<c>/v1</c> at the gateway, the base URL upstream), without a leading slash.</summary>
    public static string RelativePath(this OpenAiOperation operation) => operation switch
    {
        OpenAiOperation.ChatCompletions => "chat/completions",
        OpenAiOperation.Completions => "completions",
        OpenAiOperation.Embeddings => "embeddings",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
