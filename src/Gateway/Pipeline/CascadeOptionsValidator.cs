using Microsoft.Extensions.Options;
using Router.Gateway.Learning;

namespace Router.Gateway.Pipeline;

/// <summary>
/// Start-up validation of <see cref="CascadeOptions"/> (STYLE.md #7): the options' own ranges, and, when the cascade is
/// enabled, that the gateway runs the MixLLM engine with an answer verifier in its checkpoint, on the encoder it was
/// trained with. A bad configuration fails the start with a message that says what to change.
/// </summary>
internal sealed class CascadeOptionsValidator(IServiceProvider services, IConfiguration configuration) : IValidateOptions<CascadeOptions>
{
    public ValidateOptionsResult Validate(string? name, CascadeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(options.Validate());
        if (options.Enabled)
        {
            errors.AddRange(EngineProblems());
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private IEnumerable<string> EngineProblems()
    {
        if (services.GetService<CascadeVerifier>() is not { } verifier)
        {
            yield return $"{CascadeOptions.SectionName}:Enabled needs the MixLLM engine (AddRouterLearning); this host routes without one.";
            yield break;
        }

        if (verifier.Verifier is null)
        {
            var checkpoint = configuration["Router:CheckpointPath"];
            yield return $"{CascadeOptions.SectionName}:Enabled is true but the checkpoint has no answer verifier " +
                (string.IsNullOrEmpty(checkpoint) ? "(Router:CheckpointPath is not set: the untrained default engine has none)" : $"('{checkpoint}')") +
                "; train one with `router train ... --verifier` (data with recorded responses) or set Enabled to false.";
            yield break;
        }

        if (!verifier.EncoderMatches)
        {
            yield return $"{CascadeOptions.SectionName}:Enabled: the verifier was trained on encoder '{verifier.EngineEncoderId}' embeddings, " +
                $"but the gateway runs '{verifier.EncoderId}'; use the checkpoint's encoder or set Enabled to false.";
        }
    }
}
