using Microsoft.Extensions.Options;

namespace Router.Gateway.Configuration;

/// <summary>
/// Start-up validation (STYLE.md #3) of an options type that lists its own problems (<c>Validate()</c> returning
/// messages): resilience, request limits, response cache.
/// </summary>
internal sealed class DelegateOptionsValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
