using Microsoft.Extensions.Options;
using Router.Core.Decision;
using Router.Core.Routing;
using Router.Gateway.DecisionLog;
using IRouter = Router.Core.Routing.IRouter;

namespace Router.Gateway.Learning;

/// <summary>
/// The gateway's <see cref="IRouter"/> for <c>auto</c>: the <see cref="Router.Core.Decision.MixLlmRouter"/> over the
/// current folded engine and personal preferences (the request's user key gets their personal terms) (<see cref="LearnedState.Router"/>; a snapshot restore swaps the engine underneath), then
/// exploration (<c>Router:Exploration</c>, <see cref="Explorer"/>: the served arm may be drawn, the propensity is its
/// true probability), and the prompt hash (and text, with <c>Router:DecisionLog:StorePrompts</c>) for the decision log.
/// </summary>
public sealed class EngineRouter(LearnedState state, IOptions<ExplorationOptions>? exploration = null, IOptions<DecisionLogOptions>? log = null) : IRouter
{
    private readonly Explorer _explorer = new(exploration?.Value ?? new ExplorationOptions());
    private readonly bool _storePrompts = log?.Value.StorePrompts ?? false;

    /// <inheritdoc />
    public async ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = _explorer.Apply(await state.Router.RouteAsync(request, cancellationToken));
        return decision with
        {
            PromptHash = DecisionLogObserver.HashPrompt(request.QueryText),
            PromptText = _storePrompts ? request.QueryText : null,
            UserId = request.UserId,
        };
    }
}
