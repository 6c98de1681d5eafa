using Router.Core.Personalisation;

namespace Router.Core.Tests.Personalisation;

public sealed class PersonalPreferenceModelTests
{
    private static readonly string[] Arms = ["a0", "a1", "a2", "a3"];

    [Fact]
    public void Terms_NoRatings_AreZero()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Residuals, Kappa = 10 });
        model.Observe("u1", "a0", 0.4);
        var terms = new double[Arms.Length];
        Assert.True(model.Terms("u1", Arms, default, terms));
        Assert.Equal(0, terms[1]);   // n = 0 for a1 → prior 0
        Assert.False(model.Terms("nobody", Arms, default, terms));
        Assert.All(terms, t => Assert.Equal(0, t));
    }

    [Fact]
    public void Terms_Residuals_AreShrunkMeanNOverNPlusKappa()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Residuals, Kappa = 10 });
        model.Observe("u1", "a0", 0.4);
        model.Observe("u1", "a0", 0.2);
        var terms = new double[1];
        model.Terms("u1", ["a0"], default, terms);
        Assert.Equal(2.0 / 12.0 * 0.3, terms[0], 12);
    }

    [Fact]
    public void Terms_ManyRatings_ApproachUserMean()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Residuals, Kappa = 10 });
        for (var i = 0; i < 20_000; i++)
        {
            model.Observe("u1", "a0", i % 2 == 0 ? 0.1 : 0.5);   // mean 0.3
        }

        var terms = new double[1];
        model.Terms("u1", ["a0"], default, terms);
        Assert.Equal(0.3 * 20_000 / 20_010, terms[0], 9);
        Assert.InRange(terms[0], 0.2995, 0.3);
    }

    [Fact]
    public void Observe_SyntheticPreference_ConvergesAndEstimatesKappa()
    {
        // 20 users; half like a0 (+0.25) and dislike a1 (−0.25), half the opposite; Gaussian noise σ = 0.3.
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Residuals });
        var random = new Random(3);
        for (var step = 0; step < 400; step++)
        {
            for (var u = 0; u < 20; u++)
            {
                var sign = u % 2 == 0 ? 1 : -1;
                var arm = step % 2 == 0 ? "a0" : "a1";
                var truth = (arm == "a0" ? 0.25 : -0.25) * sign;
                model.Observe($"u{u}", arm, truth + (0.3 * Gaussian(random)));
            }
        }

        // σ² = 0.09, τ² = 0.0625 → κ ≈ 1.44; with 200 ratings per cell the weight is ≈ 0.99.
        Assert.InRange(model.Kappa, 1.0, 2.2);
        var terms = new double[2];
        model.Terms("u0", ["a0", "a1"], default, terms);
        Assert.InRange(terms[0], 0.18, 0.32);
        Assert.InRange(terms[1], -0.32, -0.18);
        model.Terms("u1", ["a0", "a1"], default, terms);
        Assert.InRange(terms[0], -0.32, -0.18);
        Assert.InRange(terms[1], 0.18, 0.32);
    }

    [Fact]
    public void Observe_UsersAllAlike_KappaAtMaximum()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Residuals, RefitEvery = 50 });
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            model.Observe($"u{i % 20}", "a0", 0.3 * Gaussian(random));   // no true difference: pure noise
        }

        Assert.True(model.Kappa > 100, $"κ = {model.Kappa}");
    }

    [Fact]
    public void Terms_Factors_NewUserBorrowsFromGroupThatRatedAlike()
    {
        // Group A: a0 +0.3, a1 −0.3, a2 +0.2, a3 −0.2; group B the mirror image. Everyone rated every arm.
        var options = new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.ResidualsAndFactors, Kappa = 5, RefitEvery = 40 };
        var model = new PersonalPreferenceModel(options);
        var residuals = new Model(model);
        double[] groupA = [0.3, -0.3, 0.2, -0.2];
        for (var round = 0; round < 20; round++)
        {
            for (var u = 0; u < 16; u++)
            {
                var sign = u < 8 ? 1 : -1;
                for (var a = 0; a < Arms.Length; a++)
                {
                    model.Observe($"u{u}", Arms[a], sign * groupA[a]);
                    residuals.Observe($"u{u}", Arms[a], sign * groupA[a]);
                }
            }
        }

        // The new user has rated only a2, like group A, three times.
        for (var i = 0; i < 3; i++)
        {
            model.Observe("new", "a2", 0.2);
            residuals.Observe("new", "a2", 0.2);
        }

        var terms = new double[Arms.Length];
        model.Terms("new", Arms, default, terms);
        Assert.True(terms[0] > 0.05, $"a0 term {terms[0]} should lean to group A's +0.3");
        Assert.True(terms[1] < -0.05, $"a1 term {terms[1]} should lean to group A's −0.3");
        Assert.True(terms[3] < -0.03, $"a3 term {terms[3]} should lean to group A's −0.2");

        // Without factors an unrated arm has no personal term at all.
        var plain = new double[Arms.Length];
        residuals.Inner.Terms("new", Arms, default, plain);
        Assert.Equal(0, plain[0]);
        Assert.Equal(0, plain[1]);
    }

    [Fact]
    public void Forget_RemovesUserEverywhere()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Kappa = 1 });
        model.Observe("u1", "a0", 0.4);
        model.Observe("u2", "a0", -0.4);
        Assert.True(model.Forget("u1"));
        Assert.False(model.Forget("u1"));
        Assert.Null(model.Describe("u1"));
        Assert.False(model.Contains("u1"));
        var terms = new double[1];
        Assert.False(model.Terms("u1", ["a0"], default, terms));
        Assert.Equal(0, terms[0]);
        Assert.NotNull(model.Describe("u2"));
        Assert.DoesNotContain("\"u1\"", System.Text.Encoding.UTF8.GetString(model.Serialize()), StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_PastMaxUsers_EvictsLeastRecentFeedback()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, MaxUsers = 2 });
        model.Observe("u1", "a0", 0.1);
        model.Observe("u2", "a0", 0.1);
        model.Observe("u1", "a0", 0.1);   // u1 is now more recent than u2
        model.Observe("u3", "a0", 0.1);
        Assert.Equal(2, model.UserCount);
        Assert.True(model.Contains("u1"));
        Assert.False(model.Contains("u2"));
        Assert.True(model.Contains("u3"));
    }

    [Fact]
    public void Serialize_RoundTrip_ContinuesBitIdentically()
    {
        var options = new PersonalisationOptions { UseFeatures = false, RefitEvery = 7 };
        var straight = new PersonalPreferenceModel(options);
        var random = new Random(11);
        var ratings = Enumerable.Range(0, 300).Select(i => ($"u{random.Next(9)}", Arms[random.Next(4)], (random.NextDouble() - 0.5) * 0.8)).ToList();
        foreach (var (u, a, r) in ratings.Take(150))
        {
            straight.Observe(u, a, r);
        }

        var restored = PersonalPreferenceModel.Deserialize(straight.Serialize(), options);
        Assert.Equal(straight.StateHash(), restored.StateHash());
        straight.Forget("u3");
        restored.Forget("u3");
        foreach (var (u, a, r) in ratings.Skip(150))
        {
            straight.Observe(u, a, r);
            restored.Observe(u, a, r);
        }

        Assert.Equal(straight.StateHash(), restored.StateHash());
        var t1 = new double[4];
        var t2 = new double[4];
        straight.Terms("u1", Arms, default, t1);
        restored.Terms("u1", Arms, default, t2);
        Assert.Equal(t1, t2);
    }

    [Fact]
    public void Terms_ModeOff_AreZeroButStatisticsKept()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Mode = PersonalisationMode.Off, Kappa = 1 });
        model.Observe("u1", "a0", 0.4);
        var terms = new double[1];
        Assert.False(model.Terms("u1", ["a0"], default, terms));
        Assert.Equal(0, terms[0]);
        Assert.Equal(1, model.Describe("u1")!.FeedbackCount);
    }

    [Fact]
    public void Observe_BadInput_Throws()
    {
        var model = new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false });
        Assert.Throws<ArgumentException>(() => model.Observe("u", "a0", double.NaN));
        Assert.ThrowsAny<ArgumentException>(() => model.Observe("", "a0", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PersonalPreferenceModel(new PersonalisationOptions { UseFeatures = false, Rank = 0 }));
    }

    [Fact]
    public void Terms_Features_LearnAQualityWeightThatReachesUnratedArms()
    {
        // The user's residual is +0.5·p̂ (quality counts more than for the shared model), seen on two arms only.
        var model = new PersonalPreferenceModel(new PersonalisationOptions { Mode = PersonalisationMode.Residuals, Kappa = 10 });
        var random = new Random(9);
        for (var i = 0; i < 2000; i++)
        {
            var quality = random.NextDouble();
            model.Observe("u1", i % 2 == 0 ? "a0" : "a1", 0.5 * quality, [quality, 0.2]);
        }

        // An arm the user never rated, predicted much better than another: its term is larger by about 0.5·Δp̂.
        double[] features = [0.9, 0.2, 0.3, 0.2];
        var terms = new double[2];
        model.Terms("u1", ["a2", "a3"], features, terms);
        Assert.InRange(terms[0] - terms[1], 0.22, 0.33);
        Assert.InRange(model.Describe("u1")!.PreferenceWeights[1], 0.38, 0.55);
        Assert.Throws<ArgumentException>(() => model.Observe("u1", "a0", 0.1));   // features required
    }

    [Fact]
    public void Serialize_WithFeatures_RoundTripsBitIdentically()
    {
        var straight = new PersonalPreferenceModel(new PersonalisationOptions { RefitEvery = 5 });
        for (var i = 0; i < 40; i++)
        {
            straight.Observe($"u{i % 3}", Arms[i % 4], (i % 7) * 0.05 - 0.1, [i % 5 * 0.2, i % 3 * 0.3]);
        }

        var restored = PersonalPreferenceModel.Deserialize(straight.Serialize(), straight.Options);
        Assert.Equal(straight.StateHash(), restored.StateHash());
        straight.Observe("u1", "a2", 0.3, [0.5, 0.5]);
        restored.Observe("u1", "a2", 0.3, [0.5, 0.5]);
        Assert.Equal(straight.StateHash(), restored.StateHash());
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // The same ratings into a residual-only model, to compare with the factor model.
    private sealed class Model(PersonalPreferenceModel factors)
    {
        public PersonalPreferenceModel Inner { get; } = new(factors.Options with { Mode = PersonalisationMode.Residuals });

        public void Observe(string user, string arm, double residual) => Inner.Observe(user, arm, residual);
    }
}
