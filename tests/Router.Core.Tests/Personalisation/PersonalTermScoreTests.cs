using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Routing;

namespace Router.Core.Tests.Personalisation;

public sealed class PersonalTermScoreTests
{
    private static readonly ArmDefinition Cheap = new() { Name = "cheap", InputPricePerMillion = 0.1, OutputPricePerMillion = 0.2, Tags = ["prior-quality=0.5"] };
    private static readonly ArmDefinition Strong = new() { Name = "strong", InputPricePerMillion = 0.2, OutputPricePerMillion = 0.4, Tags = ["prior-quality=0.6"] };
    private static readonly float[] E = [0.6f, 0.8f];

    [Fact]
    public void Score_PersonalTerm_AddsLambdaTimesTerm()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 0.01);
        var policy = new RoutingPolicy { Lambda = 2 };
        var plain = engine.Score(E, 100, [Cheap, Strong], policy);
        var personal = engine.Score(E, 100, [Cheap, Strong], policy, [0.25, -0.1]);
        Assert.Equal(plain[0].Score + (2 * 0.25), personal[0].Score, 12);
        Assert.Equal(plain[1].Score - (2 * 0.1), personal[1].Score, 12);
        Assert.Equal(0.5, personal[0].PersonalTerm, 12);
        Assert.Equal(0, plain[0].PersonalTerm);
    }

    [Fact]
    public void Decide_PersonalTerm_ChangesTheChoice()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        var policy = new RoutingPolicy { Lambda = 1 };
        Assert.Equal("strong", engine.Decide("r1", E, 100, [Cheap, Strong], policy).ChosenArm);
        Assert.Equal("cheap", engine.Decide("r1", E, 100, [Cheap, Strong], policy, [0.3, 0]).ChosenArm);
        Assert.Throws<ArgumentException>(() => engine.Decide("r1", E, 100, [Cheap, Strong], policy, [0.3]));
    }
}
