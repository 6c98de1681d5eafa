using Microsoft.Extensions.Options;
using Router.Core.DependencyInjection;

namespace Router.Gateway.Configuration;

/// <summary>
/// Replaces <see cref="GatewayOptions.Arms"/> with the arms of <see cref="GatewayOptions.ArmsFile"/> when one is set,
/// and checks that every arm of <c>Router:Arms</c> binds. Arms are bound one at a time because the configuration
/// binder silently drops a collection element that fails to bind (e.g. <c>"TokensPerSecond": "fast"</c>), and a silently missing arm is worse than a
/// failed start. Errors are recorded, not thrown, and reported by <see cref="GatewayOptionsValidator"/> so that
/// start-up fails with one clear message naming the file and the field.
/// </summary>
internal sealed class ArmsPostConfigure(IConfiguration configuration) : IPostConfigureOptions<GatewayOptions>
{
    public void PostConfigure(string? name, GatewayOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ArmsFile))
        {
            // The binder has filled Arms already (plus anything code added); only find the elements it dropped.
            ReadArms(configuration.GetSection(GatewayOptions.SectionName).GetSection("Arms"), options);
            return;
        }

        var path = ConfiguredPath.Resolve(options.ArmsFile);
        options.ArmsSource = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}': Arms";
        if (!File.Exists(path))
        {
            options.ArmsError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' does not exist (resolved to {path})";
            return;
        }

        IConfiguration file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            options.ArmsError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' is not valid JSON: {ex.Message}";
            return;
        }

        var arms = ReadArms(file.GetSection("Arms"), options);
        if (arms is not null)
        {
            options.Arms.Clear();
            foreach (var arm in arms)
            {
                options.Arms.Add(arm);
            }
        }
    }

    /// <summary>Binds each arm on its own; null (and <see cref="GatewayOptions.ArmsError"/> set) when one fails.</summary>
    private static List<ArmOptions>? ReadArms(IConfiguration section, GatewayOptions options)
    {
        var arms = new List<ArmOptions>();
        foreach (var child in section.GetChildren())
        {
            try
            {
                arms.Add(child.Get<ArmOptions>() ?? new ArmOptions());
            }
            catch (InvalidOperationException ex)
            {
                // The binder's message names the key, e.g. "Failed to convert configuration value at 'Arms:2:TokensPerSecond'".
                options.ArmsError = $"{options.ArmsSource}:{child.Key}: {ex.Message}";
                return null;
            }
        }

        return arms;
    }
}
