using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Learning;
using Router.Core.Routing;

namespace Router.Core.Tests.Decision;

/// <summary>Tries to break the engine: poisoned events, long runs at the score extremes, degenerate options and arms.</summary>
public sealed class MixLlmEngineRobustnessTests
{
    private const int Dim = 8;

    private static readonly ArmDefinition Free = new() { Name = "free", Tags = ["prior-quality=0.5"] };

    private static readonly ArmDefinition Paid = new() { Name = "paid", InputPricePerMillion = 5, OutputPricePerMillion = 15 };

    public static TheoryData<float> BadFloats => new() { float.NaN, float.PositiveInfinity, float.NegativeInfinity };

    public static TheoryData<double> BadDoubles => new() { double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    [Theory]
    [MemberData(nameof(BadFloats))]
    public void Apply_NonFiniteEmbeddingValue_ThrowsArgumentAndLeavesStateUnchanged(float bad)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        var embedding = Unit(1);
        embedding[3] = bad;

        Assert.Throws<ArgumentException>(() => engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = embedding, Score = 1 }));
        Assert.Throws<ArgumentException>(() => engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = embedding, Up = true }));
        Assert.Throws<ArgumentException>(() => engine.Apply(new UsageObserved { Arm = "paid", Embedding = embedding, CompletionTokens = 10, DurationSeconds = 1 }));
        Assert.Equal(hash, engine.StateHash());
    }

    [Theory]
    [MemberData(nameof(BadDoubles))]
    public void Apply_NonFiniteScore_ThrowsArgumentAndLeavesStateUnchanged(double bad)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        Assert.Throws<ArgumentException>(() => engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = Unit(1), Score = bad }));
        Assert.Equal(hash, engine.StateHash());
    }

    [Theory]
    [MemberData(nameof(BadDoubles))]
    public void Apply_NonFiniteLatency_ThrowsArgumentAndLeavesStateUnchanged(double bad)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        Assert.Throws<ArgumentException>(() => engine.Apply(new UsageObserved { Arm = "paid", TimeToFirstTokenSeconds = bad, DurationSeconds = 2 }));
        Assert.Throws<ArgumentException>(() => engine.Apply(new UsageObserved { Arm = "paid", TimeToFirstTokenSeconds = 1, DurationSeconds = bad }));
        Assert.Equal(hash, engine.StateHash());
        AssertFinite(engine, Unit(2));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void Apply_BinaryFeedbackWithInvalidPropensity_ThrowsArgumentAndLeavesStateUnchanged(double bad)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        Assert.Throws<ArgumentException>(() => engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = Unit(1), Up = true, Propensity = bad }));
        Assert.Equal(hash, engine.StateHash());
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(1e-9)]
    public void Apply_BinaryFeedbackWithPropensityInUnitInterval_IsFolded(double propensity)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = Unit(1), Up = true, Propensity = propensity });
        Assert.NotEqual(hash, engine.StateHash());
        AssertFinite(engine, Unit(1));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-1.0)]
    public void Apply_ArmAddedWithInvalidPrice_ThrowsArgumentAndLeavesStateUnchanged(double bad)
    {
        var engine = Trained();
        var hash = engine.StateHash();
        Assert.Throws<ArgumentException>(() => engine.Apply(new ArmAdded { Arm = "new", InputPricePerMillion = bad, OutputPricePerMillion = 1 }));
        Assert.Throws<ArgumentException>(() => engine.Apply(new ArmAdded { Arm = "new", InputPricePerMillion = 1, OutputPricePerMillion = bad }));
        Assert.Throws<ArgumentException>(() => engine.Apply(new ArmAdded { Arm = "paid", InputPricePerMillion = bad }));
        Assert.Equal(hash, engine.StateHash());
    }

    [Fact]
    public void Apply_ArmAddedWithZeroPrices_IsAdded()
    {
        var engine = Trained();
        var hash = engine.StateHash();
        engine.Apply(new ArmAdded { Arm = "new" });
        Assert.NotEqual(hash, engine.StateHash());
    }

    [Fact]
    public void Apply_DenormalEmbeddingValues_AreHarmless()
    {
        // A float subnormal becomes a normal double in z, so it costs no slow arithmetic and is, to the model, a zero.
        var engine = Trained();
        var embedding = new float[Dim];
        Array.Fill(embedding, float.Epsilon);
        embedding[0] = 1e-39f;
        engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = embedding, Score = 1 });
        engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = embedding, Up = false });
        engine.Apply(new UsageObserved { Arm = "paid", Embedding = embedding, CompletionTokens = 5, DurationSeconds = 1 });
        AssertFinite(engine, embedding);
        AssertFinite(engine, Unit(3));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Apply_20kRefinedScoresAtAnExtreme_PredictionsConvergeAndStayFinite(double score)
    {
        var engine = Trained();
        var random = new Random(21);
        for (var i = 0; i < 20_000; i++)
        {
            engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = Unit(random.Next(4)), Score = score });
        }

        var prediction = engine.Predict(Paid, Unit(1), 100);
        Assert.Equal(score, prediction.Quality, 2);
        Assert.True(prediction.Uncertainty is >= 0 and < 0.05, $"uncertainty {prediction.Uncertainty}");
        AssertFinite(engine, Unit(7));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Apply_20kThumbsAtAnExtreme_FeedbackTermStaysFiniteAndBounded(bool up, bool baseline)
    {
        var options = new MixLlmEngineOptions { FeedbackLearningRate = 0.1, BinaryBaseline = baseline };
        var engine = Trained(options);
        var random = new Random(22);
        for (var i = 0; i < 20_000; i++)
        {
            engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = Unit(random.Next(4)), Up = up, Propensity = 0.01, Candidates = ["free", "paid"] });
        }

        foreach (var arm in new[] { Free, Paid })
        {
            var term = engine.Predict(arm, Unit(1), 100).FeedbackTerm;
            Assert.True(double.IsFinite(term), $"{arm.Name}: κ·s {term}");
        }

        AssertFinite(engine, Unit(6));
    }

    [Fact]
    public void Predict_OneThumbZeroVariance_KappaIsOneOverEpsilon()
    {
        var engine = Trained(new MixLlmEngineOptions { FeedbackLearningRate = 0.1, FeedbackEpsilon = 0.25, BinaryBaseline = false, BinaryUpdatesQuality = false });
        engine.Apply(new BinaryFeedback { Arm = "paid", Embedding = Unit(0), Up = true, Candidates = ["free", "paid"] });

        // One event → Var[s] = 0 → κ = 1/ε. θ_paid = 0.1·(1 − ½)·z with |z|² = 2.
        Assert.Equal(0.1 * 0.5 * 2 / 0.25, engine.Predict(Paid, Unit(0), 10).FeedbackTerm, 9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Create_FeedbackEpsilonNotPositive_Throws(double epsilon)
    {
        // κ = 1/(Var + ε) needs ε > 0: with ε = 0 and the head switched off (η = 0), s = 0 and Var = 0 give 0/0 = NaN scores.
        var options = new MixLlmEngineOptions { FeedbackEpsilon = epsilon, FeedbackLearningRate = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(() => MixLlmEngine.CreateUntrained("test-encoder", Dim, options: options));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Create_RhoNotPositiveFinite_Throws(double rho)
    {
        // ρ = 0 made a cold arm's bonus |z|/sqrt(ρ) infinite and every event for a new arm throw.
        Assert.Throws<ArgumentOutOfRangeException>(() => MixLlmEngine.CreateUntrained("test-encoder", Dim, options: new MixLlmEngineOptions { Rho = rho }));
    }

    [Fact]
    public void Deserialize_CheckpointWithZeroEpsilon_ThrowsInvalidData()
    {
        var bytes = System.Text.Encoding.UTF8.GetString(Trained().SerializeState()).Replace("\"feedbackEpsilon\": 1", "\"feedbackEpsilon\": 0", StringComparison.Ordinal);
        Assert.Contains("\"feedbackEpsilon\": 0", bytes, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(bytes)));
    }

    [Theory]
    [InlineData("quality", "aInverse", double.NaN)]
    [InlineData("quality", "b", double.PositiveInfinity)]
    [InlineData("length", "weights", double.NegativeInfinity)]
    [InlineData(null, "feedbackWeights", double.NaN)]
    public void Deserialize_NonFiniteArrayValue_ThrowsInvalidDataNamingArmAndField(string? ridge, string field, double bad)
    {
        var json = CheckpointJson();
        var arm = PaidArm(json);
        var owner = ridge is null ? arm : arm[ridge]!.AsObject();
        var values = Doubles(owner[field]!.GetValue<string>());
        values[values.Length / 2] = bad;
        owner[field] = Base64(values);

        var ex = Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
        Assert.Contains("'paid'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ridge is null ? field : $"{ridge}.{field}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quality", "aInverse")]
    [InlineData("length", "b")]
    [InlineData("quality", "weights")]
    public void Deserialize_ArrayOfWrongLength_ThrowsInvalidDataNamingArmAndField(string ridge, string field)
    {
        var json = CheckpointJson();
        var owner = PaidArm(json)[ridge]!.AsObject();
        owner[field] = Base64(Doubles(owner[field]!.GetValue<string>())[..^1]);

        var ex = Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
        Assert.Contains("'paid'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{ridge}.{field}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inputPricePerMillion")]
    [InlineData("outputPricePerMillion")]
    public void Deserialize_NegativePrice_ThrowsInvalidDataNamingArmAndField(string field)
    {
        // Scalar NaN/Infinity cannot reach here (the reader refuses named literals); a negative price can.
        var json = CheckpointJson();
        PaidArm(json)[field] = -1.0;

        var ex = Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
        Assert.Contains("'paid'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_HeadWeightsOfWrongLength_ThrowsInvalidData()
    {
        var engine = MixLlmEngine.CreateDefault("test-encoder", 16, Dim);
        var json = System.Text.Json.Nodes.JsonNode.Parse(engine.SerializeState())!.AsObject();
        var head = json["head"]!.AsObject();
        head["weights"] = Convert.ToBase64String(Convert.FromBase64String(head["weights"]!.GetValue<string>())[..^4]);

        var ex = Assert.Throws<InvalidDataException>(() => MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
        Assert.Contains("head", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_UntouchedCheckpoint_Loads()
    {
        var engine = Trained();
        Assert.Equal(engine.StateHash(), MixLlmEngine.Deserialize(System.Text.Encoding.UTF8.GetBytes(CheckpointJson().ToJsonString())).StateHash());
    }

    private static System.Text.Json.Nodes.JsonObject CheckpointJson() =>
        System.Text.Json.Nodes.JsonNode.Parse(Trained().SerializeState())!.AsObject();

    private static System.Text.Json.Nodes.JsonObject PaidArm(System.Text.Json.Nodes.JsonObject checkpoint) =>
        checkpoint["arms"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "paid")!.AsObject();

    private static double[] Doubles(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var values = new double[bytes.Length / sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
        }

        return values;
    }

    private static string Base64(double[] values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), values[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    [Fact]
    public void Decide_ColdArmsWithZeroPrices_ScoresFiniteAndRanksAll()
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", Dim);
        ArmDefinition[] arms = [new() { Name = "a" }, new() { Name = "b" }, new() { Name = "c", Tags = ["prior-quality=0.9"] }];

        var decision = engine.Decide("r", Unit(0), 100, arms, RoutingPolicy.Default);

        Assert.Equal(3, decision.RankedArms.Count);
        Assert.Equal("c", decision.ChosenArm);
        Assert.All(decision.Scores, s => Assert.True(double.IsFinite(s.Score) && s.PredictedCostUsd == 0));
    }

    [Fact]
    public void Decide_AllArmsExcludedAndZeroPrices_FallsBackToFastestWithFiniteScores()
    {
        var engine = Trained();
        ArmDefinition[] arms = [Free with { TokensPerSecond = 10 }, Paid with { TokensPerSecond = 1000, InputPricePerMillion = 0, OutputPricePerMillion = 0 }];

        var decision = engine.Decide("r", Unit(0), 100, arms, new RoutingPolicy { TimeLimitSeconds = 0.001 });

        Assert.Equal(["paid", "free"], decision.RankedArms);
        Assert.Equal(1.0, decision.Propensity);
        Assert.All(decision.Scores, s => Assert.True(s.ExcludedReason is not null && double.IsFinite(s.Score)));
    }

    [Fact]
    public void Decide_ZeroEmbedding_IsFinite()
    {
        // ProjectionHead maps a zero vector to zeros rather than dividing by its norm.
        var engine = Trained();
        var zero = new float[Dim];
        engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = zero, Score = 1 });
        var decision = engine.Decide("r", zero, 0, [Free, Paid], RoutingPolicy.Default);
        Assert.All(decision.Scores, s => Assert.True(double.IsFinite(s.Score) && s.UncertaintyBonus >= 0));
    }

    [Fact]
    public void Checkpoint_RoundTrip_IsBitExactAndHashStable()
    {
        var engine = Trained(new MixLlmEngineOptions { FeedbackLearningRate = 0.05, Seed = 3 });
        var random = new Random(8);
        for (var i = 0; i < 500; i++)
        {
            var e = Unit(random.Next(Dim));
            e[random.Next(Dim)] += (float)(random.NextDouble() * 1e-3);
            engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = e, Score = random.NextDouble() });
            engine.Apply(new BinaryFeedback { Arm = "free", Embedding = e, Up = random.Next(2) == 0, Propensity = 0.3 + (random.NextDouble() * 0.7) });
            engine.Apply(new UsageObserved
            {
                Arm = "paid", Embedding = e, CompletionTokens = random.Next(1, 900), TimeToFirstTokenSeconds = random.NextDouble(),
                DurationSeconds = 1 + random.NextDouble(), At = DateTimeOffset.UnixEpoch.AddSeconds(i),
            });
        }

        var bytes = engine.SerializeState();
        var hash = engine.StateHash();
        Assert.Equal(hash, engine.StateHash());

        var loaded = MixLlmEngine.Deserialize(bytes);
        Assert.Equal(bytes, loaded.SerializeState());
        Assert.Equal(hash, loaded.StateHash());

        // And the reloaded engine folds the next event to the same state as the original.
        var next = new RefinedFeedback { Arm = "paid", Embedding = Unit(5), Score = 0.3 };
        engine.Apply(next);
        loaded.Apply(next);
        Assert.Equal(engine.StateHash(), loaded.StateHash());
    }

    private static MixLlmEngine Trained(MixLlmEngineOptions? options = null)
    {
        var engine = MixLlmEngine.CreateUntrained("test-encoder", Dim, options: options, costReference: 0.01);
        engine.Apply(new ArmAdded { Arm = "free", Tags = ["prior-quality=0.5"] });
        engine.Apply(new ArmAdded { Arm = "paid", InputPricePerMillion = 5, OutputPricePerMillion = 15 });
        engine.Apply(new RefinedFeedback { Arm = "paid", Embedding = Unit(0), Score = 0.8 });
        engine.Apply(new UsageObserved { Arm = "paid", Embedding = Unit(0), CompletionTokens = 100, TimeToFirstTokenSeconds = 0.5, DurationSeconds = 2 });
        return engine;
    }

    private static float[] Unit(int axis)
    {
        var e = new float[Dim];
        e[axis % Dim] = 1;
        return e;
    }

    private static void AssertFinite(MixLlmEngine engine, float[] embedding)
    {
        foreach (var arm in new[] { Free, Paid })
        {
            var p = engine.Predict(arm, embedding, 100);
            Assert.True(double.IsFinite(p.Quality) && double.IsFinite(p.CostUsd) && double.IsFinite(p.FeedbackTerm) && double.IsFinite(p.ExpectedSeconds),
                $"{arm.Name}: {p}");
            Assert.True(p.Uncertainty >= 0 && double.IsFinite(p.Uncertainty), $"{arm.Name}: uncertainty {p.Uncertainty}");
        }

        Assert.All(engine.Score(embedding, 100, [Free, Paid], RoutingPolicy.Default), s => Assert.True(double.IsFinite(s.Score), s.ToString()));
    }
}
