namespace Router.Core.Routing;

/// <summary>
/// The seam between "which arm" and "forward the request": the gateway filters the candidates (enabled, healthy,
/// allowed) and forwards to <see cref="RoutingDecision.RankedArms"/> in order; the router only ranks.
/// Implementations are thread-safe.
/// </summary>
public interface IRouter
{
    /// <summary>Ranks <see cref="RoutingRequest.Candidates"/> for the query.</summary>
    /// <exception cref="ArgumentException">No candidates.</exception>
    ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken);
}
