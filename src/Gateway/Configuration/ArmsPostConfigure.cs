using Microsoft.Extensions.Options;

namespace Router.Gateway.Configuration;

/// <summary>
/// Binds <see cref="GatewayOptions.Arms"/> one arm at a time, from <see cref="GatewayOptions.ArmsFile"/> when one is
/// set, else from <c>Router:Arms</c>. One at a time because the configuration binder silently drops a collection
/// element that fails to bind (e.g. <c>"TokensPerSecond": "fast"</c>), and a silently missing arm is worse than a
/// failed start. Errors are recorded, not thrown, and reported by <see cref="GatewayOptionsValidator"/> so that
/// start-up fails with one clear message naming the file and the field.
/// </summary>
internal sealed class ArmsPostConfigure(IConfiguration configuration) : IPostConfigureOptions<GatewayOptions>
{
    public void PostConfigure(string? name, GatewayOptions options)
    {
        IConfiguration arms;
        if (string.IsNullOrWhiteSpace(options.ArmsFile))
        {
            arms = configuration.GetSection(GatewayOptions.SectionName).GetSection("Arms");
        }
        else
        {
            var path = Path.GetFullPath(options.ArmsFile);
            options.ArmsSource = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}': Arms";
            if (!File.Exists(path))
            {
                options.ArmsError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' does not exist (resolved to {path})";
                return;
            }

            try
            {
                arms = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build().GetSection("Arms");
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
            {
                options.ArmsError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' is not valid JSON: {ex.Message}";
                return;
            }
        }

        options.Arms.Clear();
        foreach (var child in arms.GetChildren())
        {
            try
            {
                options.Arms.Add(child.Get<ArmOptions>() ?? new ArmOptions());
            }
            catch (InvalidOperationException ex)
            {
                // The binder's message names the key, e.g. "Failed to convert configuration value at 'Arms:2:TokensPerSecond'".
                options.ArmsError = $"{options.ArmsSource}:{child.Key}: {ex.Message}";
                return;
            }
        }
    }
}
