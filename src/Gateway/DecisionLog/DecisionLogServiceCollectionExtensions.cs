using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.Decision;
using Router.Core.State;
using Router.Gateway.Configuration;
using Router.Gateway.Usage;

namespace Router.Gateway.DecisionLog;

/// <summary>Wires the decision log (<c>Router:DecisionLog</c>) and exploration (<c>Router:Exploration</c>).</summary>
public static class DecisionLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDecisionLog"/> (the Redis stream when <c>Router:Redis:Configuration</c> is set, else JSONL
    /// files), its observer, and the exploration options; validated at start.
    /// </summary>
    public static IServiceCollection AddDecisionLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DecisionLogOptions>().Bind(configuration.GetSection(DecisionLogOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DecisionLogOptions>>(new DelegateOptionsValidator<DecisionLogOptions>(o => o.Validate()));
        services.AddOptions<ExplorationOptions>().Bind(configuration.GetSection("Router:Exploration")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExplorationOptions>>(new DelegateOptionsValidator<ExplorationOptions>(o => Problems(o.Validate)));
        services.TryAddSingleton<JsonlDecisionLog>();
        services.TryAddSingleton<RedisDecisionLog>();
        services.TryAddSingleton<IDecisionLog>(sp => sp.GetRequiredService<IOptions<RedisStateOptions>>().Value.Enabled
            ? sp.GetRequiredService<RedisDecisionLog>()
            : sp.GetRequiredService<JsonlDecisionLog>());
        if (configuration.GetValue(DecisionLogOptions.SectionName + ":Enabled", true))
        {
            services.AddSingleton<IRequestObserver, DecisionLogObserver>();
        }

        return services;
    }

    /// <summary>The message of a validation that throws, as a list (empty when it passes).</summary>
    internal static IReadOnlyList<string> Problems(Action validate)
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
