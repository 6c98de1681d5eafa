namespace Router.Core.Arms;

/// <summary>The configuration spelling of a <see cref="ProviderKind"/>.</summary>
public static class ProviderKindExtensions
{
    /// <summary>
    /// The value an arms file or the admin API uses for <paramref name="provider"/> (<c>openai</c>, <c>azure</c>,
    /// <c>simulated</c>, <c>anthropic</c>), so that every place that shows a provider (<c>/v1/models</c>, <c>/admin/arms</c>) names it the
    /// way <see cref="ArmSettings.Provider"/> accepts it.
    /// </summary>
    public static string ToConfigName(this ProviderKind provider) => provider switch
    {
        ProviderKind.AzureOpenAI => "azure",
        ProviderKind.Simulated => "simulated",
        ProviderKind.Anthropic => "anthropic",
        _ => "openai",
    };
}
