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

    [Fact]
    public void DrModelVariance_HandComputedLog_MatchesClosedForm()
    {
        // (π, μ, r, q̂_logged, q̂_target, μ*, σ̂²): q̂_target 0.8, 0.6, 0.4 (mean 0.6, sample variance 0.04);
        // σ̂²/μ* = 0.16/0.5, 0.24/0.25, 0.24/1 → mean (0.32 + 0.96 + 0.24)/3 = 0.50666…
        OpeSample[] log =
        [
            new(1, 0.5, 1.0, 0.8, 0.8, 0.5, 0.16),
            new(0, 0.25, 0.0, 0.3, 0.6, 0.25, 0.24),
            new(1, 1.0, 0.5, 0.4, 0.4, 1.0, 0.24),
        ];
        Assert.Equal(0.04 + ((0.32 + 0.96 + 0.24) / 3), OffPolicyEstimator.DrModelVariance(log), 12);

        var dr = OffPolicyEstimator.Estimate(log, 50, 1).Single(e => e.Estimator == "dr");
        var half = 1.959963984540054 * Math.Sqrt(OffPolicyEstimator.DrModelVariance(log) / 3);
        Assert.Equal(OpeEstimate.ModelNormal, dr.Interval);
        Assert.Equal(OffPolicyEstimator.Point(log).Dr - half, dr.Low, 12);
        Assert.Equal(OffPolicyEstimator.Point(log).Dr + half, dr.High, 12);
    }

    [Fact]
    public void DrModelVariance_TargetPropensityUnknown_DrFallsBackOnTheBootstrap()
    {
        var log = Enumerable.Range(0, 20).Select(i => new OpeSample(i % 2, 0.5, i % 3 / 2.0, 0.4, 0.5)).ToArray();
        Assert.True(double.IsNaN(OffPolicyEstimator.DrModelVariance(log)));
        var estimates = OffPolicyEstimator.Estimate(log, 100, 2);
        var dr = estimates.Single(e => e.Estimator == "dr");
        Assert.Equal(OpeEstimate.Bootstrap, dr.Interval);
        Assert.Equal(estimates.Single(e => e.Estimator == "dr-bootstrap") with { Estimator = "dr" }, dr);
    }

    [Fact]
    public void Estimate_RareTargetArm_ModelVarianceCoversWhereTheBootstrapCannot()
    {
        // ε-greedy logging (ε = 0.1, K = 10) whose greedy arm the target never picks: the target's arm is logged with
        // μ* = 0.01, about 3 times in 300 decisions. Its reward is Bernoulli(0.7); the direct model says 0.6 (off by
        // 0.1), so DR must lean on those few matches. Truth 0.7. A log without a match has a degenerate bootstrap.
        var random = new Random(11);
        const int Runs = 200;
        const double Epsilon = 0.1;
        const int K = 10;
        const double Mu = Epsilon / K;
        int modelCovered = 0, bootstrapCovered = 0;
        for (var run = 0; run < Runs; run++)
        {
            var log = new List<OpeSample>();
            for (var i = 0; i < 300; i++)
            {
                var explore = random.NextDouble() < Epsilon;
                var arm = explore ? random.Next(K) : 0;           // arm 0 greedy, the target's arm is 1
                var propensity = (arm == 0 ? 1 - Epsilon : 0) + Mu;
                var reward = arm == 1 ? (random.NextDouble() < 0.7 ? 1.0 : 0.0) : 0.5;
                log.Add(new OpeSample(arm == 1 ? 1 : 0, propensity, reward, arm == 1 ? 0.6 : 0.5, 0.6, Mu, OpeSample.BoundedRewardVariance(0.6)));
            }

            var estimates = OffPolicyEstimator.Estimate(log, 200, run);
            modelCovered += estimates.Single(e => e.Estimator == "dr").Covers(0.7) ? 1 : 0;
            bootstrapCovered += estimates.Single(e => e.Estimator == "dr-bootstrap").Covers(0.7) ? 1 : 0;
        }

        Assert.True(modelCovered >= 0.9 * Runs, $"model-based DR interval covered the truth in {modelCovered} of {Runs} runs");
        Assert.True(bootstrapCovered < modelCovered, $"bootstrap {bootstrapCovered}, model-based {modelCovered} of {Runs}");
    }
}
