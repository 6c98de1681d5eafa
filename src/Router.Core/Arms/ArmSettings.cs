namespace Router.Core.Arms;

/// <summary>
/// One arm as written in configuration and in arms files (<c>Router:Arms</c>, <c>Router:ArmsFile</c>,
/// <c>deploy/arms/*.json</c>): the gateway binds it, the <c>router</c> CLI reads the same files, and
/// <see cref="ToDefinition"/> maps it to the engine's <see cref="ArmDefinition"/>. Not sealed on purpose: the gateway
/// extends it with transport-only settings (Azure api-version, simulation).
/// </summary>
public record ArmSettings
{
    /// <summary>The arm's public name (what clients pin with <c>model</c>). Required; not <c>auto</c> or <c>router</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>openai</c> (any OpenAI-compatible endpoint), <c>azure</c> (Azure OpenAI) or <c>simulated</c>. Default <c>openai</c>.</summary>
    public string Provider { get; init; } = "openai";

    /// <summary>Base URL, e.g. <c>https://api.openai.com/v1</c> or <c>https://NAME.openai.azure.com</c>. Required unless simulated.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Model (OpenAI) or deployment (Azure) name sent upstream; defaults to <see cref="Name"/>.</summary>
    public string? UpstreamModel { get; init; }

    /// <summary>Name of the environment variable that holds the API key. Never the key itself.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>USD per one million prompt tokens; must be ≥ 0.</summary>
    public double InputPricePerMillion { get; init; }

    /// <summary>USD per one million completion tokens; must be ≥ 0.</summary>
    public double OutputPricePerMillion { get; init; }

    /// <summary>Requests served at once before queueing. Default 16.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Upstream inactivity timeout in seconds (no byte for this long fails the call). Default 60.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>Disabled arms are listed but never routed to. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Free-form tags. The tag <c>embeddings</c> marks an embedding model (routed for <c>/v1/embeddings</c> only).</summary>
    public IList<string> Tags { get; init; } = [];

    /// <summary>Latency prior (and the simulated arm's behaviour): seconds to the first token. Default 0.5.</summary>
    public double TimeToFirstTokenSeconds { get; init; } = 0.5;

    /// <summary>Latency prior (and the simulated arm's behaviour): tokens per second. Default 50.</summary>
    public double TokensPerSecond { get; init; } = 50;

    /// <summary>Parses <see cref="Provider"/>; null when it names no known provider.</summary>
    public ProviderKind? ParsedProvider => Provider.Trim().ToUpperInvariant() switch
    {
        "OPENAI" or "" => ProviderKind.OpenAI,
        "AZURE" or "AZUREOPENAI" or "AZURE-OPENAI" => ProviderKind.AzureOpenAI,
        "SIMULATED" => ProviderKind.Simulated,
        "ANTHROPIC" => ProviderKind.Anthropic,
        _ => null,
    };

    /// <summary>
    /// Adds a message per invalid field to <paramref name="errors"/>, each prefixed with <paramref name="path"/> (e.g.
    /// <c>Router:Arms:2</c>): the checks the gateway's start-up validation, its admin API and the <c>router</c> CLI share.
    /// </summary>
    public void Validate(string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{path}:Name is required");
        }

        var provider = ParsedProvider;
        if (provider is null)
        {
            errors.Add($"{path}:Provider '{Provider}' is unknown (use openai, azure, anthropic or simulated)");
        }
        else if (provider != ProviderKind.Simulated)
        {
            if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{path}:BaseUrl must be an absolute http(s) URL for provider '{Provider}'");
            }
        }

        if (provider == ProviderKind.AzureOpenAI && string.IsNullOrWhiteSpace(ApiKeyEnv))
        {
            errors.Add($"{path}:ApiKeyEnv is required for provider 'azure'");
        }

        if (ApiKeyEnv is { Length: > 0 } env && (env.Any(char.IsWhiteSpace) || env.StartsWith("sk-", StringComparison.Ordinal)))
        {
            errors.Add($"{path}:ApiKeyEnv must name an environment variable, not hold a key");
        }

        CheckNonNegative(InputPricePerMillion, $"{path}:InputPricePerMillion", errors);
        CheckNonNegative(OutputPricePerMillion, $"{path}:OutputPricePerMillion", errors);
        CheckNonNegative(TimeToFirstTokenSeconds, $"{path}:TimeToFirstTokenSeconds", errors);
        if (MaxConcurrency < 1)
        {
            errors.Add($"{path}:MaxConcurrency must be >= 1");
        }

        if (!double.IsFinite(TimeoutSeconds) || TimeoutSeconds <= 0 || TimeoutSeconds > 3600)
        {
            errors.Add($"{path}:TimeoutSeconds must be > 0 and <= 3600");
        }

        if (!double.IsFinite(TokensPerSecond) || TokensPerSecond <= 0)
        {
            errors.Add($"{path}:TokensPerSecond must be > 0");
        }

        if (Tags.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{path}:Tags must not contain empty tags");
        }
    }

    private static void CheckNonNegative(double value, string field, List<string> errors)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            errors.Add($"{field} must be >= 0");
        }
    }

    /// <summary>The engine's view of this arm. Call only on validated settings (a name, a known provider, an absolute URL).</summary>
    public ArmDefinition ToDefinition() => new()
    {
        Name = Name!.Trim(),
        Provider = ParsedProvider ?? ProviderKind.OpenAI,
        BaseUrl = string.IsNullOrWhiteSpace(BaseUrl) ? null : new Uri(BaseUrl, UriKind.Absolute),
        UpstreamModel = UpstreamModel,
        ApiKeyEnv = ApiKeyEnv,
        InputPricePerMillion = InputPricePerMillion,
        OutputPricePerMillion = OutputPricePerMillion,
        MaxConcurrency = MaxConcurrency,
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        Enabled = Enabled,
        Tags = [.. Tags],
        TimeToFirstTokenSeconds = TimeToFirstTokenSeconds,
        TokensPerSecond = TokensPerSecond,
    };
}
