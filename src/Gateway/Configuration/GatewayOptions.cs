using Router.Core.Routing;

namespace Router.Gateway.Configuration;

/// <summary>
/// The gateway's configuration, bound from the <c>Router</c> section (appsettings.json, an arms file, environment
/// variables such as <c>Router__MaxRequestBodyBytes</c>). Validated at start by <see cref="GatewayOptionsValidator"/>.
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Router";

    /// <summary>The arms, in configuration order. Replaced by the arms file's when <see cref="ArmsFile"/> is set.</summary>
    public IList<ArmOptions> Arms { get; init; } = [];

    /// <summary>
    /// Optional JSON file (<c>{ "Arms": [ ... ] }</c>) whose arms replace <see cref="Arms"/>. A relative path is
    /// resolved against the working directory. Arrays from several configuration sources merge by index, so a
    /// deployment that replaces the default arms uses this file rather than overriding <c>Router:Arms</c>.
    /// </summary>
    public string? ArmsFile { get; init; }

    /// <summary>Largest request body accepted on <c>/v1/*</c>, in bytes; larger ones get 413. Default 4 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deployment routing defaults; null fields fall back to <see cref="RoutingPolicy.Default"/>.</summary>
    public RoutingPolicy DefaultPolicy { get; init; } = new();

    /// <summary>Azure OpenAI <c>api-version</c> query value for arms that set none. Default <c>2024-10-21</c>.</summary>
    public string AzureApiVersion { get; init; } = "2024-10-21";

    /// <summary>
    /// The admin key for <c>/admin/*</c> (env <c>Router__AdminKey</c>), sent as <c>Authorization: Bearer &lt;key&gt;</c>.
    /// Null or empty: the admin API answers 404 (it is off), so an unconfigured gateway exposes no admin surface.
    /// </summary>
    public string? AdminKey { get; init; }

    /// <summary>How long decision records are kept for late feedback. Default 24 h.</summary>
    public TimeSpan DecisionRecordTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Where <see cref="Arms"/> came from, for validation messages (<c>Router:Arms</c> or the arms file). Set by
    /// the gateway, not by configuration.
    /// </summary>
    internal string ArmsSource { get; set; } = SectionName + ":Arms";

    /// <summary>Why the arms could not be read (file missing, value of the wrong type); reported by the validator.</summary>
    internal string? ArmsError { get; set; }
}
