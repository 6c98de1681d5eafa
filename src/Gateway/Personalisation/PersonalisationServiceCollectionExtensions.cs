using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.Personalisation;
using Router.Gateway.Configuration;

namespace Router.Gateway.Personalisation;

/// <summary>Wires personalised routing (docs/personalisation.md).</summary>
public static class PersonalisationServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Router:Personalisation</c> (<see cref="PersonalisationOptions"/> and <c>UserSource</c>) and
    /// <c>Router:Privacy</c> (<c>HashUsers</c>, <c>UserHashSecret</c>), validated at start, and registers <see cref="UserKeys"/>.
    /// </summary>
    public static IServiceCollection AddRouterPersonalisation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PersonalisationOptions>().Bind(configuration.GetSection("Router:Personalisation")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PersonalisationOptions>>(new DelegateOptionsValidator<PersonalisationOptions>(o => Problems(o.Validate)));
        services.AddOptions<UserIdentityOptions>()
            .Configure(o =>
            {
                configuration.GetSection("Router:Personalisation").Bind(o);
                configuration.GetSection("Router:Privacy").Bind(o);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UserIdentityOptions>>(new DelegateOptionsValidator<UserIdentityOptions>(o => o.Validate()));
        services.TryAddSingleton<UserKeys>();
        return services;
    }

    private static IReadOnlyList<string> Problems(Action validate)
    {
        try
        {
            validate();
            return [];
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return [ex.Message];
        }
    }
}
