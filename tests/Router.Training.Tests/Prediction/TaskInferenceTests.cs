using Router.Training.Arms;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Tests.Prediction;

public sealed class TaskInferenceTests
{
    [Fact]
    public void Infer_RouterBenchPrompts_FindsTheTaskFromTheEmbeddingAlone()
    {
        var (train, test) = Sets();

        var inference = TaskInference.Fit(train);

        Assert.Equal(train.Tasks.Distinct().Order(StringComparer.Ordinal), inference.Tasks);
        Assert.InRange(inference.Accuracy(test), 0.8, 1.0);
    }

    [Fact]
    public void Predict_ScrambledTestLabelsAndOutcomes_GiveIdenticalPredictions()
    {
        var (train, test) = Sets();
        IArmPredictor[] predictors =
        [
            new LinUcbRidgePredictor { KnnWeight = 0.5, KnnK = 5 },
            new CoreEnginePredictor(new Router.Core.Training.MixLlmTrainingOptions()) { KnnWeight = 0.5, KnnK = 5 },
            new KnnPredictor(5),
        ];
        foreach (var p in predictors)
        {
            p.Fit(train, null, CancellationToken.None);
        }

        var before = predictors.Select(p => PrecomputedPredictor.Capture(p, test)).ToList();

        // A gateway never sees a query's task label or outcomes: change both on the test rows.
        var tasks = test.Tasks.Distinct().ToArray();
        for (var i = 0; i < test.N; i++)
        {
            test.Tasks[i] = tasks[(Array.IndexOf(tasks, test.Tasks[i]) + 1) % tasks.Length] + "-scrambled";
        }

        Array.Fill(test.Quality, double.NaN);
        var after = predictors.Select(p => PrecomputedPredictor.Capture(p, test)).ToList();

        for (var p = 0; p < predictors.Length; p++)
        {
            Assert.Equal(before[p].Q, after[p].Q);
            Assert.Equal(before[p].Len, after[p].Len);
            Assert.Equal(before[p].Bonus, after[p].Bonus);
        }
    }

    private static (EvalSet Train, EvalSet Test) Sets()
    {
        var all = DatasetLoader.Load([DataFiles.CutRouterBench(15)]);
        var (train, test) = all.Split(0.3, 1);
        var arms = ArmsFile.Resolve(all.Arms, [], out _);
        using var encoder = new HashingTextEncoder(64);
        var trainEmb = new float[train.Queries.Count * 64];
        var testEmb = new float[test.Queries.Count * 64];
        encoder.Encode(train.Queries.Select(q => q.Prompt).ToList(), trainEmb, CancellationToken.None);
        encoder.Encode(test.Queries.Select(q => q.Prompt).ToList(), testEmb, CancellationToken.None);
        return (EvalSet.Create(train, trainEmb, 64, arms), EvalSet.Create(test, testEmb, 64, arms));
    }
}
