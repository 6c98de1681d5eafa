using Router.Core.Routing;
using IRouter = Router.Core.Routing.IRouter;

namespace Router.Gateway.Learning;

/// <summary>
/// The gateway's <see cref="IRouter"/> for <c>auto</c>: the <see cref="Router.Core.Decision.MixLlmRouter"/> over the
/// current folded engine (<see cref="LearnedState.Router"/>; a snapshot restore swaps the engine underneath).
/// </summary>
public sealed class EngineRouter(LearnedState state) : IRouter
{
    /// <inheritdoc />
    public ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken) =>
        state.Router.RouteAsync(request, cancellationToken);
}
