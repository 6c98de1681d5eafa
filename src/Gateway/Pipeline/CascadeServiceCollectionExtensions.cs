using Microsoft.Extensions.Options;

namespace Router.Gateway.Pipeline;

/// <summary>Registers the verifier cascade's options (<c>Router:Cascade</c>), validated at start.</summary>
public static class CascadeServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="CascadeOptions"/> (enabled without a verifier in the checkpoint fails the start).
    /// The <see cref="Learning.CascadeVerifier"/> itself comes with the learning layer (<c>AddRouterLearning</c>).
    /// </summary>
    public static IServiceCollection AddVerifierCascade(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CascadeOptions>().Bind(configuration.GetSection(CascadeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CascadeOptions>>(sp => new CascadeOptionsValidator(sp, configuration));
        return services;
    }
}
