using Microsoft.Extensions.DependencyInjection.Extensions;
using Router.Core.Decision;
using Router.Core.DependencyInjection;
using Router.Core.Embedding;
using Router.Core.Personalisation;
using Router.Core.State;
using Router.Gateway.Budget;
using Microsoft.Extensions.Options;
using Router.Gateway.DecisionLog;
using Router.Gateway.Decisions;
using Router.Gateway.Personalisation;
using Router.Gateway.Usage;
using IRouter = Router.Core.Routing.IRouter;

namespace Router.Gateway.Learning;

/// <summary>Wires the MixLLM engine, the shared state layer and learning into the gateway.</summary>
public static class LearningServiceCollectionExtensions
{
    /// <summary>
    /// Call after <see cref="GatewayServiceCollectionExtensions.AddRouterGateway"/>. Registers the MixLLM engine
    /// (<c>Router:CheckpointPath</c>, encoder knobs under <c>Router:MixLlm</c>; no checkpoint → the untrained default),
    /// the state layer (<c>Router:Redis:Configuration</c> set → Redis, else in-process; <c>Router:State</c>), the fold
    /// of the log into the engine, and replaces the gateway's <see cref="IRouter"/> (MixLLM for <c>auto</c>) and
    /// <see cref="IDecisionStore"/> (the state layer's records). Adds the usage observer and the registry ↔ catalog sync.
    /// </summary>
    public static IServiceCollection AddRouterLearning(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMixLlmRouter(o =>
        {
            configuration.GetSection("Router:MixLlm").Bind(o);
            o.CheckpointPath = configuration["Router:CheckpointPath"] ?? o.CheckpointPath;
        });
        services.AddRouterState(configuration);

        services.AddRouterPersonalisation(configuration);   // Router:Personalisation, Router:Privacy
        services.TryAddSingleton(sp => new LearnedState(sp.GetRequiredService<MixLlmEngine>(), sp.GetRequiredService<ITextEncoder>(), sp.GetService<IQueryEncoder>(),
            sp.GetRequiredService<IOptions<PersonalisationOptions>>().Value));
        services.TryAddSingleton(sp => new CascadeVerifier(sp.GetRequiredService<LearnedState>(), sp.GetRequiredService<ITextEncoder>(), sp.GetService<IQueryEncoder>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<MixLlmEngine>().InFlight);   // fed by the request pipeline
        services.TryAddSingleton<EngineFold>();
        services.TryAddSingleton<ILearningStateFold>(sp => sp.GetRequiredService<EngineFold>());
        services.TryAddSingleton<LearningEventWriter>();
        services.TryAddSingleton<IRoutingPolicySource, RegistryPolicySource>();
        services.Replace(ServiceDescriptor.Singleton<IRouter, EngineRouter>());
        services.Replace(ServiceDescriptor.Singleton<IDecisionStore, StateDecisionStore>());
        services.AddSingleton<IRequestObserver, UsageLearningObserver>();
        services.AddBudgetAutopilot(configuration);   // Router:Autopilot: λ from a cost target, folded from the log
        services.AddDecisionLog(configuration);       // Router:DecisionLog, Router:Exploration
        services.TryAddSingleton<ArmRegistrySync>();
        services.AddHostedService(sp => sp.GetRequiredService<ArmRegistrySync>());
        return services;
    }
}
