using Router.Core.Verification;

namespace Router.Core.Tests.Verification;

public sealed class CascadeRuleTests
{
    [Fact]
    public void EscalationArm_StrongerArms_BestScoreAmongThem()
    {
        // Arm 0 answered (q̂ 0.5). Arm 1 is weaker; arms 2 and 3 are stronger, 3 scores higher; arm 4 scores highest but is weaker.
        double[] quality = [0.5, 0.4, 0.7, 0.9, 0.45];
        double[] score = [1.0, 1.2, 0.8, 0.9, 2.0];

        Assert.Equal(3, CascadeRule.EscalationArm(quality, score, answered: 0));
    }

    [Fact]
    public void EscalationArm_IneligibleArmAsNaN_Skipped()
    {
        double[] quality = [0.5, double.NaN, 0.7];
        double[] score = [1.0, 5.0, double.NaN];

        Assert.Equal(-1, CascadeRule.EscalationArm(quality, score, answered: 0));
    }

    [Fact]
    public void EscalationArm_NoStrongerArm_MinusOne()
    {
        double[] quality = [0.9, 0.4, 0.7];
        double[] score = [1.0, 1.2, 0.8];

        Assert.Equal(-1, CascadeRule.EscalationArm(quality, score, answered: 0));
    }

    [Fact]
    public void EscalationArm_TiedScores_LowerIndexKept()
    {
        double[] quality = [0.2, 0.8, 0.8];
        double[] score = [1.0, 0.5, 0.5];

        Assert.Equal(1, CascadeRule.EscalationArm(quality, score, answered: 0));
    }

    [Fact]
    public void EscalationArm_SpansOfDifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => CascadeRule.EscalationArm([0.1, 0.2], [1.0], answered: 0));
        Assert.Throws<ArgumentException>(() => CascadeRule.EscalationArm([0.1], [1.0], answered: 1));
    }

    [Theory]
    [InlineData(2.5, 0.95, 0.002, 0.001)]
    [InlineData(1.0, 0.9, 0.01, 0.1)]
    [InlineData(40.0, 0.8, 0.5, 0.02)]
    public void ShouldEscalate_AgreesWithTheThreshold(double lambda, double quality, double cost, double reference)
    {
        var threshold = CascadeRule.Threshold(lambda, quality, cost, reference);

        // p a little below τ escalates, a little above does not: the two forms of λ·(q̂ − p) > ĉ/c_ref agree.
        Assert.True(CascadeRule.ShouldEscalate(lambda, threshold - 1e-9, quality, cost, reference));
        Assert.False(CascadeRule.ShouldEscalate(lambda, threshold + 1e-9, quality, cost, reference));
    }

    [Fact]
    public void ShouldEscalate_LambdaZero_NeverAndThresholdMinusInfinity()
    {
        Assert.False(CascadeRule.ShouldEscalate(0, 0, 1, 0.01, 1));
        Assert.Equal(double.NegativeInfinity, CascadeRule.Threshold(0, 1, 0.01, 1));
    }
}
