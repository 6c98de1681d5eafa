namespace Router.Core.Routing;

/// <summary>
/// The simplest documented policy: the arm with the lowest expected cost for the prompt
/// (input price × prompt tokens + output price × a nominal 256-token answer), ties by name. Deterministic.
/// </summary>
public sealed class CheapestArmRouter : IRouter
{
    /// <summary>Completion length assumed when comparing prices; a typical chat answer.</summary>
    public const int NominalCompletionTokens = 256;

    /// <inheritdoc />
    public ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Candidates.Count == 0)
        {
            throw new ArgumentException("No candidate arms.", nameof(request));
        }

        var scores = request.Candidates
            .Select(arm =>
            {
                var cost = arm.CostUsd(request.PromptTokens, NominalCompletionTokens);
                return new ArmScore(arm.Name, PredictedQuality: 0, cost, 0, 0, 0, Score: -cost);
            })
            .ToArray();
        var ranked = scores
            .OrderBy(s => s.PredictedCostUsd)
            .ThenBy(s => s.Arm, StringComparer.Ordinal)
            .Select(s => s.Arm)
            .ToArray();
        return ValueTask.FromResult(new RoutingDecision
        {
            RequestId = request.RequestId,
            RankedArms = ranked,
            Policy = "cheapest",
            Scores = scores,
        });
    }
}
