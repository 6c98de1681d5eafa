namespace Router.Gateway.Protocols.Anthropic;

/// <summary>The Anthropic surface and provider (<c>Router:Anthropic</c>); docs/protocols.md.</summary>
public sealed class AnthropicOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:Anthropic";

    /// <summary>The <c>anthropic-version</c> header sent to native arms. Default <c>2023-06-01</c>.</summary>
    public string Version { get; set; } = "2023-06-01";

    /// <summary><c>max_tokens</c> sent to a native arm when the OpenAI client gave none (Anthropic requires it). Default 4096.</summary>
    public int DefaultMaxTokens { get; set; } = 4096;

    /// <summary>
    /// Model names of <c>/v1/messages</c> clients mapped to an arm or <c>auto</c> (checked after the arm names); a key
    /// ending in <c>*</c> matches by prefix. Default: <c>claude-*</c> → <c>auto</c>, so Claude Code's
    /// <c>claude-sonnet-4-5</c>, <c>claude-haiku-4-5</c> … are routed.
    /// </summary>
    public Dictionary<string, string> ModelAliases { get; set; } = new(StringComparer.OrdinalIgnoreCase) { ["claude-*"] = "auto" };

    /// <summary>The alias target for <paramref name="model"/>, or the model itself.</summary>
    public string Resolve(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ModelAliases.TryGetValue(model, out var exact))
        {
            return exact;
        }

        foreach (var (pattern, target) in ModelAliases)
        {
            if (pattern.EndsWith('*') && model.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }
        }

        return model;
    }
}
