using Router.Training.OffPolicy;

namespace Router.Training.Tests.OffPolicy;

public sealed class OffPolicyEstimatorTests
{
    [Fact]
    public void Point_HandComputedLog_MatchesClosedForms()
    {
        // Three decisions: (π, μ, r, q̂_logged, q̂_target).
        OpeSample[] log =
        [
            new(1, 0.5, 1.0, 0.8, 0.8),   // w = 2
            new(0, 0.25, 0.0, 0.3, 0.6),  // w = 0
            new(1, 1.0, 0.5, 0.4, 0.4),   // w = 1
        ];
        var (ips, snips, dr, dm) = OffPolicyEstimator.Point(log);

        Assert.Equal((2 * 1.0 + 0 + 1 * 0.5) / 3, ips, 12);                       // (1/n) Σ w r
        Assert.Equal((2 * 1.0 + 1 * 0.5) / 3.0, snips, 12);                        // Σ w r / Σ w
        Assert.Equal(((0.8 + 2 * 0.2) + 0.6 + (0.4 + 0.1)) / 3, dr, 12);           // (1/n) Σ [q̂_π + w (r − q̂_a)]
        Assert.Equal((0.8 + 0.6 + 0.4) / 3, dm, 12);
        Assert.Equal(9.0 / 5.0, OffPolicyEstimator.EffectiveSampleSize(log), 12); // (Σw)²/Σw² = 9/5
    }

    [Fact]
    public void Point_OnPolicyLog_AllEstimatorsEqualTheMeanReward()
    {
        // Target = logging policy, deterministic: w = 1 everywhere, so IPS = SNIPS = DR = mean reward whatever q̂.
        var log = Enumerable.Range(0, 10).Select(i => new OpeSample(1, 1, i / 10.0, 0.3, 0.3)).ToArray();
        var (ips, snips, dr, _) = OffPolicyEstimator.Point(log);
        Assert.Equal(0.45, ips, 12);
        Assert.Equal(0.45, snips, 12);
        Assert.Equal(0.45, dr, 12);
        Assert.Equal(10, OffPolicyEstimator.EffectiveSampleSize(log), 12);
    }

    [Fact]
    public void Point_PerfectDirectModel_DrHasNoImportanceTerm()
    {
        // q̂ equals every reward: the correction is 0 and DR is the model's value even with wild weights.
        var log = new[] { new OpeSample(1, 0.01, 0.7, 0.7, 0.7), new OpeSample(0, 0.9, 0.2, 0.2, 0.9) };
        Assert.Equal(0.8, OffPolicyEstimator.Point(log).Dr, 12);
    }

    [Fact]
    public void Estimate_UniformLoggingTwoArms_IpsUnbiasedAndIntervalsCoverTruth()
    {
        // Two arms with Bernoulli rewards 0.8 and 0.2, logged uniformly (μ = ½), target always arm 0: true value 0.8.
        var random = new Random(3);
        var covered = 0;
        var bias = 0.0;
        const int Runs = 40;
        for (var run = 0; run < Runs; run++)
        {
            var log = new List<OpeSample>();
            for (var i = 0; i < 400; i++)
            {
                var arm = random.Next(2);
                var reward = random.NextDouble() < (arm == 0 ? 0.8 : 0.2) ? 1.0 : 0.0;
                log.Add(new OpeSample(arm == 0 ? 1 : 0, 0.5, reward, 0.5, 0.5)); // an uninformative direct model
            }

            var dr = OffPolicyEstimator.Estimate(log, 200, run).Single(e => e.Estimator == "dr");
            covered += dr.Covers(0.8) ? 1 : 0;
            bias += (OffPolicyEstimator.Point(log).Ips - 0.8) / Runs;
        }

        Assert.InRange(bias, -0.02, 0.02);
        Assert.True(covered >= 34, $"DR's 95% interval covered the truth in {covered} of {Runs} runs");
    }

    [Fact]
    public void Estimate_SameSeed_SameIntervals()
    {
        var log = Enumerable.Range(0, 50).Select(i => new OpeSample(i % 2, 0.5, i % 3 / 2.0, 0.4, 0.5)).ToArray();
        Assert.Equal(OffPolicyEstimator.Estimate(log, 100, 9), OffPolicyEstimator.Estimate(log, 100, 9));
    }
}
