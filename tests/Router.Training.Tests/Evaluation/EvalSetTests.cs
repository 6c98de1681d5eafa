using Router.Core.Arms;
using Router.Training.Data;
using Router.Training.Evaluation;

namespace Router.Training.Tests.Evaluation;

public sealed class EvalSetTests
{
    private static readonly ArmDefinition Arm = new() { Name = "a", InputPricePerMillion = 10, OutputPricePerMillion = 30 };

    [Fact]
    public void CompletionTokensFromCost_InvertsThePrices()
    {
        // 100 prompt tokens at $10/M = $0.001; 50 completion tokens at $30/M = $0.0015.
        var outcome = new ArmOutcome { Quality = 1, CostUsd = 0.0025, PromptTokens = 100 };

        Assert.Equal(50, EvalSet.CompletionTokensFromCost(outcome, Arm)!.Value, 6);
        Assert.Null(EvalSet.CompletionTokensFromCost(outcome with { CostUsd = null }, Arm));
        Assert.Null(EvalSet.CompletionTokensFromCost(outcome with { CostUsd = 0.0001 }, Arm));
    }

    [Fact]
    public void Create_NoCost_PricesFromArmAndLength()
    {
        var data = new RoutingDataset(["a"],
        [
            new DatasetQuery { Id = "q", Prompt = "p", Task = "t", PromptTokens = 100, Outcomes = [new ArmOutcome { Quality = 1, PromptTokens = 100, CompletionTokens = 50 }] },
        ]);

        var set = EvalSet.Create(data, new float[4], 4, [Arm]);

        Assert.Equal(0.0025, set.Cost[0], 12);
        Assert.Equal(50, set.CompletionTokens[0]);
    }
}
