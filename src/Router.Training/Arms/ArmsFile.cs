using System.Text.Json;
using Router.Core.Arms;
using Router.Core.DependencyInjection;
using Router.Training.Data;

namespace Router.Training.Arms;

/// <summary>
/// Reads an arms file (<c>deploy/arms/*.json</c>) in the gateway's format, so one file serves both the gateway
/// (<c>Router:ArmsFile</c>) and the CLI: <c>{"Arms": [{"Name", "Provider": "openai"|"azure"|"simulated", "BaseUrl",
/// "UpstreamModel", "InputPricePerMillion", "OutputPricePerMillion", "MaxConcurrency", "TimeoutSeconds", "Enabled",
/// "Tags", "TimeToFirstTokenSeconds", "TokensPerSecond"}]}</c> (names case-insensitive). Arms of a data set that the
/// file does not list get <see cref="DefaultPrice"/> pricing and the record's latency defaults, with a warning, so
/// score-only data sets (RouterDC, RouteLLM) still run.
/// </summary>
public static class ArmsFile
{
    /// <summary>USD per 1M tokens (input and output) for an arm no file prices: a mid-range open model.</summary>
    public const double DefaultPrice = 0.5;

    /// <summary>JSON options of the arms file (the gateway's configuration names, case-insensitive).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads the arms of a file.</summary>
    public static IReadOnlyList<ArmDefinition> Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new DatasetFormatException($"{path}: is a folder, not an arms file");
        }

        try
        {
            var file = JsonSerializer.Deserialize<ArmsFileModel>(File.ReadAllBytes(path), JsonOptions)
                ?? throw new DatasetFormatException($"{path}: empty arms file");
            if (file.Arms is null)
            {
                throw new DatasetFormatException($"{path}: \"Arms\" must be an array of arms");
            }

            var errors = new List<string>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < file.Arms.Count; i++)
            {
                if (file.Arms[i] is not { } arm)
                {
                    errors.Add($"Arms:{i} is null");
                    continue;
                }

                arm.Validate($"Arms:{i}", errors); // the gateway's own checks (Router.Core ArmSettings)
                if (!string.IsNullOrEmpty(arm.Name) && !names.Add(arm.Name))
                {
                    errors.Add($"Arms:{i}: arm '{arm.Name}' is listed twice");
                }
            }

            if (errors.Count > 0)
            {
                throw new DatasetFormatException($"{path}: {string.Join("; ", errors)}");
            }

            return file.Arms.Select(a => a!.ToDefinition()).ToList();
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException(path, (e.LineNumber ?? -1) + 1, (e.BytePositionInLine ?? -1) + 1, "invalid arms file: " + e.Message.Split(". ")[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Finds the arms file for a data set: the explicit path, or <c>deploy/arms/routerbench.json</c> when it exists
    /// (searched upward from the current directory), or none.
    /// </summary>
    public static string? Locate(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return explicitPath;
        }

        var found = ConfiguredPath.Resolve(Path.Combine("deploy", "arms", "routerbench.json"), [Directory.GetCurrentDirectory()]);
        return File.Exists(found) ? found : null;
    }

    /// <summary>
    /// The arm definitions for <paramref name="armNames"/>, in that order: from <paramref name="known"/> by name, or a
    /// default-priced <see cref="ProviderKind.Simulated"/> arm (reported in <paramref name="unpriced"/>).
    /// </summary>
    public static IReadOnlyList<ArmDefinition> Resolve(IReadOnlyList<string> armNames, IReadOnlyList<ArmDefinition> known, out IReadOnlyList<string> unpriced)
    {
        var missing = new List<string>();
        var result = armNames.Select(name =>
        {
            var arm = known.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));
            if (arm is not null)
            {
                return arm;
            }

            missing.Add(name);
            return new ArmDefinition { Name = name, Provider = ProviderKind.Simulated, InputPricePerMillion = DefaultPrice, OutputPricePerMillion = DefaultPrice };
        }).ToList();
        unpriced = missing;
        return result;
    }

    private sealed record ArmsFileModel
    {
        // Nullable: JSON may say "Arms": null or list a null arm; Load reports both.
        public List<ArmSettings?>? Arms { get; init; } = [];
    }
}
