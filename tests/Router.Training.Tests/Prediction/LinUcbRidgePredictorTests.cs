using Router.Core.Arms;
using Router.Training.Data;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Tests.Prediction;

public sealed class LinUcbRidgePredictorTests
{
    [Fact]
    public void Observe_ShermanMorrison_EqualsRefitWithTheObservation()
    {
        var (train, extra) = Sets();

        // Online: fit on train, then observe arm 0 on every extra row.
        var online = new LinUcbRidgePredictor { Rho = 1, UseTags = false };
        online.Fit(train, null, CancellationToken.None);
        for (var i = 0; i < extra.N; i++)
        {
            online.Observe(extra, i, 0, extra.Quality[i * extra.K], extra.CompletionTokens[i * extra.K]);
        }

        // Batch: arm 0 fitted on train + extra (same prior mean: the prior comes from the first fit).
        var q = new double[2];
        var len = new double[2];
        var bonus = new double[2];
        var q2 = new double[2];
        var len2 = new double[2];
        var bonus2 = new double[2];
        var batch = new LinUcbRidgePredictor { Rho = 1, UseTags = false };
        batch.Fit(train, null, CancellationToken.None);
        var state = online.ExportState(["a", "b"]);
        online.Predict(extra, 0, q, len, bonus);

        // Sherman–Morrison kept A⁻¹ exact: compare with a direct inverse of ρI + Σ x xᵀ over train and extra.
        var x = Features(train).Concat(Features(extra)).ToList();
        var d = x[0].Length;
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(d);
        foreach (var row in x)
        {
            var v = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(row);
            a += v.OuterProduct(v);
        }

        var expected = a.Inverse().ToRowMajorArray();
        Assert.Equal(expected.Length, state.PerArm[0].AInverse.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], state.PerArm[0].AInverse[i], 9);
        }

        // Arm 1 saw nothing online: its bonus is unchanged while arm 0's shrank.
        batch.Predict(extra, 0, q2, len2, bonus2);
        Assert.True(bonus[0] < bonus2[0]);
        Assert.Equal(bonus2[1], bonus[1], 12);
    }

    private static List<double[]> Features(EvalSet set) =>
        Enumerable.Range(0, set.N).Select(i => set.Embedding(i).ToArray().Select(f => (double)f).Append(1.0).ToArray()).ToList();

    private static (EvalSet Train, EvalSet Extra) Sets()
    {
        var rng = new Random(5);
        DatasetQuery Query(int i) => new()
        {
            Id = "q" + i,
            Prompt = $"question {i} about topic {i % 3} with words {rng.Next(100)} {rng.Next(100)}",
            Task = "t",
            PromptTokens = 10,
            Outcomes =
            [
                new ArmOutcome { Quality = rng.Next(2), CostUsd = 0.01, PromptTokens = 10, CompletionTokens = 5 + rng.Next(20) },
                new ArmOutcome { Quality = rng.Next(2), CostUsd = 0.001, PromptTokens = 10, CompletionTokens = 5 + rng.Next(20) },
            ],
        };
        var data = new RoutingDataset(["a", "b"], Enumerable.Range(0, 30).Select(Query).ToList());
        var encoder = new HashingTextEncoder(16);
        var emb = new float[data.Queries.Count * 16];
        encoder.Encode(data.Queries.Select(q => q.Prompt).ToList(), emb, CancellationToken.None);
        ArmDefinition[] arms = [new() { Name = "a", InputPricePerMillion = 10, OutputPricePerMillion = 30 }, new() { Name = "b", InputPricePerMillion = 1, OutputPricePerMillion = 2 }];
        var set = EvalSet.Create(data, emb, 16, arms);
        return (set.Subset(Enumerable.Range(0, 20).ToArray()), set.Subset(Enumerable.Range(20, 10).ToArray()));
    }
}
