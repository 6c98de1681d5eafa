using Microsoft.Extensions.Options;

namespace Router.Gateway.Configuration;

/// <summary>
/// Replaces <see cref="GatewayOptions.Arms"/> with the arms of <see cref="GatewayOptions.ArmsFile"/> when one is set.
/// A missing or malformed file does not throw here: it is recorded and reported by <see cref="GatewayOptionsValidator"/>
/// so that start-up fails with one clear message naming the file and the field.
/// </summary>
internal sealed class ArmsFilePostConfigure : IPostConfigureOptions<GatewayOptions>
{
    public void PostConfigure(string? name, GatewayOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ArmsFile))
        {
            return;
        }

        var path = Path.GetFullPath(options.ArmsFile);
        options.ArmsSource = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}': Arms";
        if (!File.Exists(path))
        {
            options.ArmsFileError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' does not exist (resolved to {path})";
            return;
        }

        try
        {
            var file = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
            var arms = file.GetSection("Arms").Get<List<ArmOptions>>();
            if (arms is null)
            {
                options.ArmsFileError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' has no \"Arms\" array";
                return;
            }

            options.Arms.Clear();
            foreach (var arm in arms)
            {
                options.Arms.Add(arm);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or IOException)
        {
            // The binder's message names the path inside the file, e.g. "Arms:2:InputPricePerMillion".
            options.ArmsFileError = $"{GatewayOptions.SectionName}:ArmsFile '{options.ArmsFile}' is invalid: {ex.Message}";
        }
    }
}
