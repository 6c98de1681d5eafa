using Router.Training.Arms;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Simulation;

namespace Router.Training.Tests.Simulation;

public sealed class ContinualLearningSimulatorTests
{
    [Fact]
    public void HullAt_InterpolatesBetweenHullPointsAndIsFlatAfter()
    {
        (double, double)[] points = [(1, 0.5), (3, 0.9), (2, 0.6)];

        Assert.Equal(0, ContinualLearningSimulator.HullAt(points, 0.5));
        Assert.Equal(0.7, ContinualLearningSimulator.HullAt(points, 2), 12); // (2, .6) is under the chord
        Assert.Equal(0.9, ContinualLearningSimulator.HullAt(points, 10), 12);
    }

    [Fact]
    public void Simulate_TinyRouterBench_RunsEveryVariantOnTheStream()
    {
        var all = DatasetLoader.Load([DataFiles.CutRouterBench(12)]);
        var (train, test) = all.Split(0.3, 1);
        var arms = ArmsFile.Resolve(all.Arms, [], out _);
        using var encoder = new HashingTextEncoder(32);
        var emb = new float[all.Queries.Count * 32];
        var trainEmb = new float[train.Queries.Count * 32];
        var testEmb = new float[test.Queries.Count * 32];
        encoder.Encode(train.Queries.Select(q => q.Prompt).ToList(), trainEmb, CancellationToken.None);
        encoder.Encode(test.Queries.Select(q => q.Prompt).ToList(), testEmb, CancellationToken.None);
        var trainSet = EvalSet.Create(train, trainEmb, 32, arms);
        var testFull = EvalSet.Create(test, testEmb, 32, arms);
        var testSet = testFull.Subset(testFull.CompleteRows());
        var reference = all.ArmIndex("gpt-4-1106-preview");
        var settings = new PolicyCatalog.MixLlmSettings { KnnK = 5 };
        var sim = new ContinualLearningSimulator(trainSet, testSet, reference, settings, 24.18, 3);

        var outcomes = sim.ContinualLearning([0.5], CancellationToken.None);
        outcomes.AddRange(sim.Adaptability([all.ArmIndex("zero-one-ai/Yi-34B-Chat"), all.ArmIndex("mistralai/mixtral-8x7b-chat")], 0.5, CancellationToken.None));

        Assert.Equal(["offline only", "online, refined feedback", "online, binary feedback", "online, binary feedback, no head (η = 0)",
            "online, binary feedback, head only (r = ±1, η = 0.1)", "full information (upper bound)", "never added", "added at run time", "trained with all arms"],
            outcomes.Select(o => o.Variant));

        // Thumbs here are exactly the 0/1 scores: without the head they teach the quality model what refined scores do.
        var refined = outcomes.Single(o => o.Variant == "online, refined feedback");
        var noHead = outcomes.Single(o => o.Variant == "online, binary feedback, no head (η = 0)");
        Assert.Equal(refined.QualityPctAtBudget, noHead.QualityPctAtBudget, 9);
        Assert.Equal(refined.StreamQuality, noHead.StreamQuality, 9);
        var online = trainSet.N - (int)Math.Round(trainSet.N * 0.5);
        Assert.All(outcomes.Where(o => o.Variant.StartsWith("online", StringComparison.Ordinal)), o => Assert.Equal(online, o.StreamQueries));
        Assert.All(outcomes, o => Assert.InRange(o.QualityPctAtBudget, 0, 200));
        Assert.All(outcomes, o => Assert.InRange(o.Aiq, 0, 2));
    }
}
