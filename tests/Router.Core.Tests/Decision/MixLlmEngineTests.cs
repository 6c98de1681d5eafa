using Microsoft.Extensions.Time.Testing;
using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Learning;
using Router.Core.Routing;

namespace Router.Core.Tests.Decision;

public sealed class MixLlmEngineTests
{
    private static readonly ArmDefinition Cheap = new()
    {
        Name = "cheap", InputPricePerMillion = 0.1, OutputPricePerMillion = 0.2, Tags = ["prior-quality=0.5"],
        TimeToFirstTokenSeconds = 0.2, TokensPerSecond = 100, MaxConcurrency = 4,
    };

    private static readonly ArmDefinition Strong = new()
    {
        Name = "strong", InputPricePerMillion = 10, OutputPricePerMillion = 30, Tags = ["prior-quality=0.9"],
        TimeToFirstTokenSeconds = 1.0, TokensPerSecond = 20, MaxConcurrency = 2,
    };

    private static readonly float[] E = [0.6f, 0.8f];

    [Fact]
    public void Score_ColdArms_EqualsHandComputedFormula()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 0.01);
        var policy = new RoutingPolicy { Lambda = 2, Alpha = 0.5, Beta = 0.3, TargetLatencySeconds = 5 };
        var scores = engine.Score(E, promptTokens: 1000, [Cheap, Strong], policy);

        // Cold: p̂ = prior tag, len̂ = 256, A = ρI → bonus = α·sqrt(|z|²/ρ) = 0.5·sqrt(2).
        var bonus = 0.5 * Math.Sqrt(((double)E[0] * E[0]) + ((double)E[1] * E[1]) + 1);
        var cheapCost = ((1000 * 0.1) + (256 * 0.2)) / 1e6;
        var strongCost = ((1000 * 10.0) + (256 * 30.0)) / 1e6;
        var strongTime = 1.0 + (256 / 20.0); // no load: ttft + len/tps = 13.8 s
        Assert.Equal(cheapCost, scores[0].PredictedCostUsd, 12);
        Assert.Equal((2 * 0.5) - (cheapCost / 0.01) + bonus, scores[0].Score, 9);
        Assert.Equal(0.3 * (strongTime - 5), scores[1].LatencyPenalty, 9);
        Assert.Equal((2 * 0.9) - (strongCost / 0.01) + bonus - (0.3 * (strongTime - 5)), scores[1].Score, 9);
        Assert.Equal(bonus, scores[1].UncertaintyBonus, 12);
    }

    [Fact]
    public void Decide_ArmOverTimeLimit_IsExcludedAndExplained()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        var policy = new RoutingPolicy { Lambda = 10, TimeLimitSeconds = 5 };
        var decision = engine.Decide("r1", E, 10, [Cheap, Strong], policy);
        Assert.Equal(["cheap"], decision.RankedArms);
        Assert.NotNull(decision.Scores[1].ExcludedReason);
        Assert.Equal(2, decision.Embedding.Length);
    }

    [Fact]
    public void Decide_EveryArmOverTimeLimit_RanksFastestFirst()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        var decision = engine.Decide("r1", E, 10, [Strong, Cheap], new RoutingPolicy { Lambda = 100, TimeLimitSeconds = 0.1 });
        Assert.Equal(["cheap", "strong"], decision.RankedArms);
        Assert.All(decision.Scores, s => Assert.NotNull(s.ExcludedReason));
    }

    [Fact]
    public void Decide_QueueBeyondConcurrency_AddsWait()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        var idle = engine.Predict(Strong, E, 10).ExpectedSeconds;
        for (var i = 0; i < 3; i++)
        {
            engine.InFlight.Begin("strong");
        }

        // 3 in flight, concurrency 2 → 2 queued ahead of us: wait = 2·service/2 = one service time.
        Assert.Equal(2 * idle, engine.Predict(Strong, E, 10).ExpectedSeconds, 9);
        engine.InFlight.End("strong");
        engine.InFlight.End("strong");
        engine.InFlight.End("strong");
        engine.InFlight.End("strong");
        Assert.Equal(0, engine.InFlight.InFlight("strong"));
    }

    [Fact]
    public void Decide_ExactTie_DrawsBySeedWithPropensityHalf()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        var a = Cheap with { Name = "a" };
        var b = Cheap with { Name = "b" };
        var chosen = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var decision = engine.Decide($"req-{i}", E, 10, [a, b], RoutingPolicy.Default);
            Assert.Equal(0.5, decision.Propensity);
            Assert.Equal(decision.ChosenArm, engine.Decide($"req-{i}", E, 10, [a, b], RoutingPolicy.Default).ChosenArm);
            chosen.Add(decision.ChosenArm);
        }

        Assert.Equal(2, chosen.Count);
    }

    [Fact]
    public void Apply_RefinedFeedback_RaisesQualityAndShrinksBonus()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        engine.Apply(new ArmAdded { Arm = "cheap", InputPricePerMillion = 0.1, OutputPricePerMillion = 0.2, Tags = ["prior-quality=0.5"] });
        var before = engine.Predict(Cheap, E, 10);
        for (var i = 0; i < 20; i++)
        {
            engine.Apply(new RefinedFeedback { Arm = "cheap", Embedding = E, Score = 1.0 });
        }

        var after = engine.Predict(Cheap, E, 10);
        Assert.True(before.Known);
        Assert.True(after.Quality > 0.9, $"p̂ {after.Quality}");
        Assert.True(after.Uncertainty < before.Uncertainty / 3);
    }

    [Fact]
    public void Apply_BinaryFeedback_TakesPolicyGradientStepAndKappa()
    {
        // The plain REINFORCE step (r = ±1, head only), as DESIGN.md step 10 writes it.
        var options = new MixLlmEngineOptions { FeedbackLearningRate = 0.1, FeedbackEpsilon = 0.5, BinaryBaseline = false, BinaryUpdatesQuality = false };
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, options: options, costReference: 1);
        engine.Apply(new ArmAdded { Arm = "cheap" });
        engine.Apply(new ArmAdded { Arm = "strong" });

        // θ = 0 → π = (½, ½); thumbs up for "strong", propensity 1: θ_strong = 0.1·(1 − ½)·z, θ_cheap = 0.1·(0 − ½)·z.
        engine.Apply(new BinaryFeedback { Arm = "strong", Embedding = E, Up = true, Propensity = 1 });
        var zz = (0.6 * 0.6) + (0.8 * 0.8) + 1; // |z|² with z = [e; 1]
        var sStrong = 0.05 * zz;

        // One event: Var = 0 → κ = 1/ε.
        Assert.Equal(sStrong / 0.5, engine.Predict(Strong, E, 10).FeedbackTerm, 6);
        Assert.Equal(-sStrong / 0.5, engine.Predict(Cheap, E, 10).FeedbackTerm, 6);

        // A second, down-vote with propensity ½ (weight 2): π_strong = σ(s_strong − s_cheap).
        var piStrong = 1 / (1 + Math.Exp(-2 * sStrong));
        engine.Apply(new BinaryFeedback { Arm = "strong", Embedding = E, Up = false, Propensity = 0.5 });
        var sStrong2 = sStrong - (0.1 * 2 * (1 - piStrong) * zz);

        // κ from the population variance of {sStrong, sStrong2}.
        var variance = Math.Pow((sStrong - sStrong2) / 2, 2);
        Assert.Equal(sStrong2 / (variance + 0.5), engine.Predict(Strong, E, 10).FeedbackTerm, 6);
    }

    [Fact]
    public void Apply_BinaryFeedback_Defaults_TrainQualityAsScore_AndStepByAdvantageOverPredictedQuality()
    {
        var options = new MixLlmEngineOptions { FeedbackLearningRate = 0.1, FeedbackEpsilon = 0.5 };
        var thumbs = MixLlmEngine.CreateUntrained("test-encoder", 2, options: options, costReference: 1);
        var scores = MixLlmEngine.CreateUntrained("test-encoder", 2, options: options, costReference: 1);
        foreach (var engine in new[] { thumbs, scores })
        {
            engine.Apply(new ArmAdded { Arm = "cheap", Tags = ["prior-quality=0.5"] });
            engine.Apply(new ArmAdded { Arm = "strong", Tags = ["prior-quality=0.9"] });
        }

        var prior = thumbs.Predict(Strong, E, 10).Quality;
        thumbs.Apply(new BinaryFeedback { Arm = "strong", Embedding = E, Up = false, Propensity = 1 });
        scores.Apply(new RefinedFeedback { Arm = "strong", Embedding = E, Score = 0 });

        // The quality ridge learns a thumb exactly as a refined score of 0 (down) or 1 (up).
        Assert.Equal(scores.Predict(Strong, E, 10).Quality, thumbs.Predict(Strong, E, 10).Quality, 12);
        Assert.Equal(scores.Predict(Strong, E, 10).Uncertainty, thumbs.Predict(Strong, E, 10).Uncertainty, 12);

        // Head: r = 0 − p̂(before the update) = −prior; π = (½, ½); θ_strong = 0.1·r·(1 − ½)·z, one event → κ = 1/ε.
        var zz = (0.6 * 0.6) + (0.8 * 0.8) + 1;
        var sStrong = 0.1 * -prior * 0.5 * zz;
        Assert.Equal(sStrong / 0.5, thumbs.Predict(Strong, E, 10).FeedbackTerm, 6);
        Assert.Equal(-sStrong / 0.5, thumbs.Predict(Cheap, E, 10).FeedbackTerm, 6);
    }

    [Fact]
    public void Apply_BinaryFeedback_ThumbAsPredicted_LeavesHeadAlone()
    {
        // With the quality model as baseline, a thumb it predicted with certainty carries no advantage.
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, options: new MixLlmEngineOptions { FeedbackLearningRate = 0.1 }, costReference: 1);
        engine.Apply(new ArmAdded { Arm = "cheap", Tags = ["prior-quality=0.5"] });
        engine.Apply(new ArmAdded { Arm = "strong", Tags = ["prior-quality=1"] });

        engine.Apply(new BinaryFeedback { Arm = "strong", Embedding = E, Up = true, Propensity = 1 });

        Assert.Equal(0, engine.Predict(Strong, E, 10).FeedbackTerm, 12);
        Assert.Equal(0, engine.Predict(Cheap, E, 10).FeedbackTerm, 12);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(4.0)]
    public void Score_AfterThumbs_FeedbackTermWeightedByLambdaLikeQuality(double lambda)
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, options: new MixLlmEngineOptions { FeedbackLearningRate = 0.1, FeedbackEpsilon = 0.5 }, costReference: 1);
        engine.Apply(new ArmAdded { Arm = "cheap" });
        engine.Apply(new ArmAdded { Arm = "strong" });
        engine.Apply(new BinaryFeedback { Arm = "strong", Embedding = E, Up = true, Propensity = 1 });
        var policy = new RoutingPolicy { Lambda = lambda, Alpha = 0, Beta = 0 };

        var scores = engine.Score(E, 10, [Cheap, Strong], policy);

        // score = λ·(p̂ + κ·s^df) − ĉ/c_ref: thumbs move the score in quality units, so at a small λ (cost first) they
        // cannot outweigh the price difference, and at a large λ they count as much as quality does.
        var strong = engine.Predict(Strong, E, 10);
        Assert.NotEqual(0, strong.FeedbackTerm);
        Assert.Equal(lambda * strong.FeedbackTerm, scores[1].FeedbackTerm, 12);
        Assert.Equal((lambda * (strong.Quality + strong.FeedbackTerm)) - strong.CostUsd, scores[1].Score, 12);
    }

    [Fact]
    public void Apply_SameEventsInSameOrder_GiveIdenticalStateHash()
    {
        var events = RandomEvents(seed: 9, count: 60);
        var first = MixLlmEngine.CreateUntrained("test-encoder", 2);
        var second = MixLlmEngine.CreateUntrained("test-encoder", 2);
        first.ApplyAll(events);

        // The second replica receives them through the wire format.
        second.ApplyAll(events.Select(e => LearningEventSerializer.Deserialize(LearningEventSerializer.Serialize(e))));
        Assert.Equal(first.StateHash(), second.StateHash());

        var reordered = MixLlmEngine.CreateUntrained("test-encoder", 2);
        reordered.ApplyAll(events.AsEnumerable().Reverse());
        Assert.NotEqual(first.StateHash(), reordered.StateHash());
    }

    [Fact]
    public void Latency_UsageEvents_UpdateEwmaAndDecayToPriorWithTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new MixLlmEngineOptions { LatencyEwmaWeight = 0.5, LatencyHalfLifeSeconds = 60 };
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, options: options, costReference: 1, timeProvider: time);
        var arm = Cheap with { TimeToFirstTokenSeconds = 1, TokensPerSecond = 100 };

        // ttft 3 s then 5 s → EWMA 3, then 4; generation (duration − ttft) of 256 tokens at 50 tok/s.
        engine.Apply(new UsageObserved { Arm = "cheap", TimeToFirstTokenSeconds = 3, DurationSeconds = 3 + 5.12, CompletionTokens = 256, At = time.GetUtcNow() });
        engine.Apply(new UsageObserved { Arm = "cheap", TimeToFirstTokenSeconds = 5, DurationSeconds = 5 + 5.12, CompletionTokens = 256, At = time.GetUtcNow() });
        var tokens = engine.Predict(arm, E, 10).CompletionTokens;
        Assert.Equal(4 + (tokens / 50), engine.Predict(arm, E, 10).ExpectedSeconds, 6);

        // One half-life later, both EWMAs are halfway back to the priors (1 s, 100 tok/s).
        time.Advance(TimeSpan.FromSeconds(60));
        var expected = 2.5 + (tokens / 75);
        Assert.Equal(expected, engine.Predict(arm, E, 10).ExpectedSeconds, 6);
    }

    [Fact]
    public void Apply_ArmAddedWithPricePeers_PriorIsPeersMeanElseRamp()
    {
        var options = new MixLlmEngineOptions { ColdQualityFromPricePeers = true };
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1, options: options);
        engine.Apply(new ArmAdded { Arm = "a", InputPricePerMillion = 1, OutputPricePerMillion = 1, Tags = ["prior-quality=0.4"] });
        engine.Apply(new ArmAdded { Arm = "b", InputPricePerMillion = 1.5, OutputPricePerMillion = 1.5, Tags = ["prior-quality=0.6"] });
        engine.Apply(new ArmAdded { Arm = "s", InputPricePerMillion = 10, OutputPricePerMillion = 30, Tags = ["prior-quality=0.9"] });

        engine.Apply(new ArmAdded { Arm = "new", InputPricePerMillion = 1, OutputPricePerMillion = 2 });      // 3: peers a (2), b (3)
        engine.Apply(new ArmAdded { Arm = "far", InputPricePerMillion = 500, OutputPricePerMillion = 500 });  // 1000: no peer within 3×
        engine.Apply(new ArmAdded { Arm = "tagged", InputPricePerMillion = 1, OutputPricePerMillion = 2, Tags = ["prior-quality=0.1"] });

        Assert.Equal(0.5, engine.Predict(new ArmDefinition { Name = "new" }, E, 10).Quality, 9);
        Assert.Equal(0.8, engine.Predict(new ArmDefinition { Name = "far" }, E, 10).Quality, 9); // ramp: dearest
        Assert.Equal(0.1, engine.Predict(new ArmDefinition { Name = "tagged" }, E, 10).Quality, 9); // the tag wins
    }

    [Fact]
    public void Apply_ArmAddedAndRemoved_ColdPriorByPriceRankOthersUntouched()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 1);
        engine.Apply(new ArmAdded { Arm = "a", InputPricePerMillion = 1, OutputPricePerMillion = 1 });
        engine.Apply(new ArmAdded { Arm = "b", InputPricePerMillion = 5, OutputPricePerMillion = 5 });
        engine.Apply(new RefinedFeedback { Arm = "a", Embedding = E, Score = 0.2 });
        var aBefore = engine.Predict(new ArmDefinition { Name = "a" }, E, 10);

        engine.Apply(new ArmAdded { Arm = "c", InputPricePerMillion = 50, OutputPricePerMillion = 50 });
        var c = engine.Predict(new ArmDefinition { Name = "c", InputPricePerMillion = 50, OutputPricePerMillion = 50 }, E, 10);
        Assert.Equal(0.8, c.Quality, 9); // dearer than both known arms → ColdQualityHigh
        Assert.Equal(aBefore, engine.Predict(new ArmDefinition { Name = "a" }, E, 10));

        // Re-adding a known arm is a no-op.
        var hash = engine.StateHash();
        engine.Apply(new ArmAdded { Arm = "a", InputPricePerMillion = 99 });
        Assert.NotEqual(hash, engine.StateHash()); // the event counter moved...
        Assert.Equal(aBefore, engine.Predict(new ArmDefinition { Name = "a" }, E, 10)); // ...the arm did not

        engine.Apply(new ArmRemoved { Arm = "b" });
        Assert.Equal(["a", "c"], engine.Arms);
    }

    [Fact]
    public void SaveLoad_RoundTrip_KeepsStateAndScores()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2, costReference: 0.02);
        engine.ApplyAll(RandomEvents(seed: 4, count: 30));
        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.json");
        try
        {
            engine.Save(path);
            var loaded = MixLlmEngine.Load(path);
            Assert.Equal(engine.StateHash(), loaded.StateHash());
            Assert.Equal(engine.CostReference, loaded.CostReference);
            var policy = RoutingPolicy.Default;
            Assert.Equal(engine.Score(E, 100, [Cheap, Strong], policy), loaded.Score(E, 100, [Cheap, Strong], policy));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_NotACheckpoint_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize("{\"format\":\"other\"}"u8));
        Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize("nope"u8));
    }

    [Fact]
    public void Apply_EmbeddingOfWrongLength_ThrowsAndLeavesStateUnchanged()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2);
        var hash = engine.StateHash();
        Assert.Throws<ArgumentException>(() => engine.Apply(new RefinedFeedback { Arm = "a", Embedding = [1f, 0f, 0f], Score = 1 }));
        Assert.Equal(hash, engine.StateHash());
    }

    [Fact]
    public async Task Apply_WhileDeciding_ReadersSeeConsistentStateAndWritersLoseNothing()
    {
        var events = RandomEvents(seed: 12, count: 300);
        var reference = MixLlmEngine.CreateUntrained("test-encoder", 2);
        reference.ApplyAll(events);

        var engine = MixLlmEngine.CreateUntrained("test-encoder", 2);
        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested)
            {
                var decision = engine.Decide($"q{count++}", E, 10, [Cheap, Strong], RoutingPolicy.Default);
                Assert.All(decision.Scores, s => Assert.True(double.IsFinite(s.Score)));
                if (count == 1)
                {
                    started.Signal();
                }
            }

            return count;
        })).ToArray();
        started.Wait(TimeSpan.FromSeconds(10));
        engine.ApplyAll(events);
        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(readers), c => Assert.True(c > 0));
        Assert.Equal(reference.StateHash(), engine.StateHash());
    }

    internal static List<LearningEvent> RandomEvents(int seed, int count)
    {
        var random = new Random(seed);
        string[] arms = ["a", "b", "c"];
        var events = new List<LearningEvent>
        {
            new ArmAdded { Arm = "a", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
            new ArmAdded { Arm = "b", InputPricePerMillion = 3, OutputPricePerMillion = 6 },
        };
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var angle = random.NextDouble() * Math.PI * 2;
            float[] e = [(float)Math.Cos(angle), (float)Math.Sin(angle)];
            var arm = arms[random.Next(arms.Length)];
            events.Add((i % 3) switch
            {
                0 => new RefinedFeedback { Arm = arm, Embedding = e, Score = random.NextDouble(), RequestId = $"r{i}" },
                1 => new BinaryFeedback { Arm = arm, Embedding = e, Up = random.Next(2) == 0, Propensity = 0.25 + (random.NextDouble() * 0.75) },
                _ => new UsageObserved { Arm = arm, Embedding = e, PromptTokens = 50, CompletionTokens = random.Next(1, 500), TimeToFirstTokenSeconds = random.NextDouble(), DurationSeconds = 1 + (random.NextDouble() * 5), At = at.AddSeconds(i) },
            });
        }

        return events;
    }
}
