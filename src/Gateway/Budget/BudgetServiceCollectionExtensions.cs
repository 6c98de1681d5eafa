using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Router.Core.Budget;
using Router.Gateway.Configuration;
using Router.Gateway.DecisionLog;

namespace Router.Gateway.Budget;

/// <summary>Wires the budget autopilot (<c>Router:Autopilot</c>: λ range, window, gains).</summary>
public static class BudgetServiceCollectionExtensions
{
    /// <summary>Registers <see cref="BudgetAutopilot"/> with its options, validated at start.</summary>
    public static IServiceCollection AddBudgetAutopilot(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LambdaControllerOptions>().Bind(configuration.GetSection("Router:Autopilot")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LambdaControllerOptions>>(
            new DelegateOptionsValidator<LambdaControllerOptions>(o => DecisionLogServiceCollectionExtensions.Problems(o.Validate)));
        services.TryAddSingleton<BudgetAutopilot>();
        return services;
    }
}
