namespace Router.Gateway.OpenAi;

/// <summary>
/// Input limits on <c>/v1/*</c> (section <c>Router:Limits</c>); the body size limit is
/// <c>Router:MaxRequestBodyBytes</c>. Validated at start.
/// </summary>
public sealed record RequestLimitsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Router:Limits";

    /// <summary>Most chat messages in one request (400 above). Default 1024.</summary>
    public int MaxMessages { get; init; } = 1024;

    /// <summary>
    /// Most entries in an embeddings <c>input</c> array (400 <c>too_many_inputs</c> above). Default 2048, OpenAI's own
    /// limit: without it one 4 MB body of 200 000 one-letter inputs asked an arm for 200 000 vectors (600 MB of JSON).
    /// </summary>
    public int MaxEmbeddingInputs { get; init; } = 2048;

    /// <summary>Most prompt tokens (cl100k estimate) in one request (400 <c>context_length_exceeded</c> above). Default 1,000,000.</summary>
    public int MaxPromptTokens { get; init; } = 1_000_000;

    /// <summary>
    /// Refuse unknown top-level fields with 400 <c>unknown_parameter</c>, as OpenAI's API does ("Unrecognized request
    /// argument supplied"). Default true; a field OpenAI adds later can be let through with <see cref="ExtraFields"/>.
    /// </summary>
    public bool RejectUnknownFields { get; init; } = true;

    /// <summary>Additional top-level fields to accept (and forward) on every endpoint.</summary>
    public IList<string> ExtraFields { get; init; } = [];

    /// <summary>Kestrel: most request headers. Default 64 (431 above).</summary>
    public int MaxRequestHeaderCount { get; init; } = 64;

    /// <summary>Kestrel: total size of the request headers in bytes. Default 32 KiB (431 above).</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 32 * 1024;

    /// <summary>Validation messages (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxMessages < 1)
        {
            errors.Add($"{SectionName}:MaxMessages must be at least 1.");
        }

        if (MaxEmbeddingInputs < 1)
        {
            errors.Add($"{SectionName}:MaxEmbeddingInputs must be at least 1.");
        }

        if (MaxPromptTokens < 1)
        {
            errors.Add($"{SectionName}:MaxPromptTokens must be at least 1.");
        }

        if (MaxRequestHeaderCount < 8)
        {
            errors.Add($"{SectionName}:MaxRequestHeaderCount must be at least 8.");
        }

        if (MaxRequestHeadersTotalSize < 1024)
        {
            errors.Add($"{SectionName}:MaxRequestHeadersTotalSize must be at least 1024.");
        }

        return errors;
    }
}
