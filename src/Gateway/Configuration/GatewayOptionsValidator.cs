using Microsoft.Extensions.Options;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Configuration;

/// <summary>
/// Start-up validation of <see cref="GatewayOptions"/> (registered with ValidateOnStart). Every message names the
/// configuration path of the offending field, e.g. <c>Router:Arms:2:InputPricePerMillion must be &gt;= 0</c>.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (options.ArmsError is not null)
        {
            errors.Add(options.ArmsError);
            return ValidateOptionsResult.Fail(errors);
        }

        const string Section = GatewayOptions.SectionName;
        if (options.MaxRequestBodyBytes < 1024)
        {
            errors.Add($"{Section}:MaxRequestBodyBytes must be >= 1024");
        }

        if (string.IsNullOrWhiteSpace(options.AzureApiVersion))
        {
            errors.Add($"{Section}:AzureApiVersion must not be empty");
        }

        if (options.DecisionRecordTtl <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:DecisionRecordTtl must be > 0");
        }

        ValidatePolicy(options, errors);

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Arms.Count; i++)
        {
            ValidateArm(options.Arms[i], $"{options.ArmsSource}:{i}", seen, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Validates one arm; also used by the run-time catalog (admin API) so both paths agree.</summary>
    internal static void ValidateArm(ArmOptions arm, string path, ISet<string> seenNames, List<string> errors)
    {
        arm.Validate(path, errors); // the checks every reader of arm settings shares (Router.Core ArmSettings)
        if (!string.IsNullOrWhiteSpace(arm.Name))
        {
            if (ModelNames.IsRouterAlias(arm.Name.Trim()))
            {
                errors.Add($"{path}:Name '{arm.Name}' is reserved (it asks the router)");
            }
            else if (!seenNames.Add(arm.Name.Trim()))
            {
                errors.Add($"{path}:Name '{arm.Name}' is used by another arm");
            }
        }

        // Sent as the api-version query value (escaped); blank or spaced values only ever fail upstream.
        if (arm.ApiVersion is { } apiVersion && (apiVersion.Length is 0 or > 64 || apiVersion.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add($"{path}:ApiVersion must be 1 to 64 characters without spaces (e.g. 2024-10-21), or absent for the default");
        }

        if (arm.Simulation.MaxCompletionTokens < 1)
        {
            errors.Add($"{path}:Simulation:MaxCompletionTokens must be >= 1");
        }

        if (arm.Simulation.EmbeddingDimension is < 1 or > 8192)
        {
            errors.Add($"{path}:Simulation:EmbeddingDimension must be in [1, 8192]");
        }

        if (arm.Simulation.FailWithStatus is { } status && (status < 400 || status > 599))
        {
            errors.Add($"{path}:Simulation:FailWithStatus must be a 4xx or 5xx status");
        }
    }

    private static void ValidatePolicy(GatewayOptions options, List<string> errors)
    {
        var policy = options.DefaultPolicy;
        var path = $"{GatewayOptions.SectionName}:DefaultPolicy";
        CheckOptionalNonNegative(policy.Lambda, $"{path}:Lambda", errors);
        CheckOptionalNonNegative(policy.Alpha, $"{path}:Alpha", errors);
        CheckOptionalNonNegative(policy.Beta, $"{path}:Beta", errors);
        CheckOptionalNonNegative(policy.TargetLatencySeconds, $"{path}:TargetLatencySeconds", errors);
        if (policy.TimeLimitSeconds is { } limit && (!double.IsFinite(limit) || limit <= 0))
        {
            errors.Add($"{path}:TimeLimitSeconds must be > 0");
        }
    }

    private static void CheckOptionalNonNegative(double? value, string path, List<string> errors)
    {
        if (value is { } v)
        {
            CheckNonNegative(v, path, errors);
        }
    }

    private static void CheckNonNegative(double value, string path, List<string> errors)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            errors.Add($"{path} must be >= 0");
        }
    }
}
