using Router.Core.Arms;
using Router.Core.Routing;

namespace Router.Core.Tests.Routing;

public sealed class CheapestArmRouterTests
{
    [Fact]
    public async Task RouteAsync_TwoArms_RanksCheaperFirst()
    {
        var router = new CheapestArmRouter();
        var request = new RoutingRequest
        {
            RequestId = "r1",
            QueryText = "hi",
            PromptTokens = 100,
            Candidates =
            [
                new ArmDefinition { Name = "big", InputPricePerMillion = 10, OutputPricePerMillion = 30 },
                new ArmDefinition { Name = "small", InputPricePerMillion = 0.2, OutputPricePerMillion = 0.2 },
            ],
        };

        var decision = await router.RouteAsync(request, CancellationToken.None);

        Assert.Equal(["small", "big"], decision.RankedArms);
        Assert.Equal("cheapest", decision.Policy);
        Assert.Equal((100 * 0.2 + 256 * 0.2) / 1e6, decision.Scores[1].PredictedCostUsd, 12);
    }
}
