using System.Text.Json;
using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Routing;
using Router.Core.Tagging;
using Router.Core.Tests.Embedding;
using Router.Core.Training;

namespace Router.Core.Tests.Training;

public sealed class MixLlmTrainerTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    [Fact]
    public void Train_ArmsGoodOnDifferentClusters_RoutesEachClusterToItsSpecialist()
    {
        var (embeddings, labels) = Tagging.TagLossesTests.Blobs(perCluster: 40, clusters: 2, dimension: 10, seed: 8);
        var n = labels.Length;
        ArmDefinition[] arms =
        [
            new() { Name = "left", InputPricePerMillion = 1, OutputPricePerMillion = 1 },
            new() { Name = "right", InputPricePerMillion = 1, OutputPricePerMillion = 1 },
        ];
        var data = new TrainingData
        {
            EncoderId = "blobs",
            EncoderDimension = 10,
            Embeddings = embeddings,
            PromptTokens = Enumerable.Repeat(100, n).ToArray(),
            Arms = arms,
            Quality = [labels.Select(l => l == 0 ? 0.9 : 0.1).ToArray(), labels.Select(l => l == 0 ? 0.2 : 0.8).ToArray()],
            CompletionTokens = [Enumerable.Repeat(100.0, n).ToArray(), Enumerable.Repeat(double.NaN, n).ToArray()],
            ClusterLabels = labels,
        };
        var engine = MixLlmTrainer.Train(data, new MixLlmTrainingOptions { Head = new TagHeadOptions { OutputDimension = 4, Epochs = 20, BatchSize = 16 } });

        Assert.Equal(5, engine.FeatureDimension);
        Assert.True(engine.CostReference > 0);
        var projected = MixLlmTrainer.ProjectAll(engine, embeddings);
        var policy = new RoutingPolicy { Lambda = 1, Alpha = 0 };
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var decision = engine.Decide($"q{i}", projected.AsSpan(i * 4, 4), 100, arms, policy);
            correct += decision.ChosenArm == (labels[i] == 0 ? "left" : "right") ? 1 : 0;
        }

        Assert.True(correct >= n * 0.95, $"{correct}/{n}");

        // "right" had no length data: its prior is the default length.
        Assert.Equal(256, engine.Predict(arms[1], projected.AsSpan(0, 4), 100).CompletionTokens, 6);
        Assert.Equal(100, engine.Predict(arms[0], projected.AsSpan(0, 4), 100).CompletionTokens, 0);
    }

    [Fact]
    public void AddArm_LaterArm_LeavesOtherArmsBitIdentical()
    {
        var (embeddings, labels) = Tagging.TagLossesTests.Blobs(perCluster: 10, clusters: 2, dimension: 6, seed: 2);
        var n = labels.Length;
        ArmDefinition[] arms = [new() { Name = "x", OutputPricePerMillion = 1 }, new() { Name = "y", OutputPricePerMillion = 2 }];
        var random = new Random(1);
        double[][] quality = [[.. Enumerable.Range(0, n).Select(_ => random.NextDouble())], [.. Enumerable.Range(0, n).Select(_ => random.NextDouble())]];
        TrainingData Data(int count) => new()
        {
            EncoderId = "blobs", EncoderDimension = 6, Embeddings = embeddings, PromptTokens = new int[n],
            Arms = arms[..count], Quality = quality[..count], ClusterLabels = labels,
        };
        var options = new MixLlmTrainingOptions { Head = new TagHeadOptions { OutputDimension = 3, Epochs = 5 } };
        var full = MixLlmTrainer.Train(Data(2), options);
        var partial = MixLlmTrainer.Train(Data(1), options);
        var extended = MixLlmTrainer.AddArm(partial, Data(2), 1);
        Assert.Equal(["x", "y"], extended.Arms);
        var e = MixLlmTrainer.ProjectAll(full, embeddings.AsSpan(0, 6));
        Assert.Equal(full.Predict(arms[1], e, 10), extended.Predict(arms[1], e, 10));
        Assert.Equal(partial.Predict(arms[0], e, 10), extended.Predict(arms[0], e, 10));
    }

    [Fact]
    public async Task Train_RealRouterDcSubset_HeadGroupsTasksAndRouterUsesIt()
    {
        // 24 ARC-Challenge and 24 GSM8K questions from the committed RouterDC fixtures (split2_model7): task name = tag.
        string[] files = ["arc_challenge_train.json", "gsm8k-train.json"];
        var questions = new List<string>();
        var labels = new List<int>();
        var scores = new List<Dictionary<string, double>>();
        for (var f = 0; f < files.Length; f++)
        {
            using var stream = File.OpenRead(Path.Combine(TestData.Fixtures, "routerdc7", files[f]));
            using var json = await JsonDocument.ParseAsync(stream);
            foreach (var row in json.RootElement.EnumerateArray().Take(24))
            {
                questions.Add(row.GetProperty("question").GetString()!);
                labels.Add(f);
                scores.Add(row.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));
            }
        }

        var encoder = fixture.Encoder;
        var raw = EmbeddingBatch.EncodeAll(encoder, questions, batchSize: 8);
        var models = scores[0].Keys.Order(StringComparer.Ordinal).ToArray();
        var arms = models.Select((m, i) => new ArmDefinition { Name = m, InputPricePerMillion = 0.1 * (i + 1), OutputPricePerMillion = 0.2 * (i + 1) }).ToArray();
        var data = new TrainingData
        {
            EncoderId = encoder.ModelId,
            EncoderDimension = encoder.Dimension,
            Embeddings = raw,
            PromptTokens = questions.Select(encoder.CountTokens).ToArray(),
            Arms = arms,
            Quality = models.Select(m => scores.Select(s => s.TryGetValue(m, out var v) ? v : double.NaN).ToArray()).ToArray(),
            ClusterLabels = [.. labels],
        };
        var engine = MixLlmTrainer.Train(data, new MixLlmTrainingOptions { Head = new TagHeadOptions { OutputDimension = 16, Epochs = 30, BatchSize = 16 } });

        // Tag enhancement: same-task queries are closer than cross-task ones in the head's space.
        var e = MixLlmTrainer.ProjectAll(engine, raw);
        double Cos(int a, int b) => Enumerable.Range(0, 16).Sum(j => (double)e[(a * 16) + j] * e[(b * 16) + j]);
        var pairs = from a in Enumerable.Range(0, labels.Count) from b in Enumerable.Range(0, labels.Count) where a < b select (a, b);
        var same = pairs.Where(p => labels[p.a] == labels[p.b]).Average(p => Cos(p.a, p.b));
        var cross = pairs.Where(p => labels[p.a] != labels[p.b]).Average(p => Cos(p.a, p.b));
        Assert.True(same > cross + 0.2, $"same-task {same:F3}, cross-task {cross:F3}");

        // The router path: encoder → head → decision, with a full explanation; the checkpoint round-trips.
        var router = new MixLlmRouter(engine, encoder);
        Assert.True(router.EncoderMatches);
        var decision = await router.RouteAsync(new RoutingRequest { RequestId = "r", QueryText = questions[30], PromptTokens = 80, Candidates = arms }, CancellationToken.None);
        Assert.Equal(arms.Length, decision.Scores.Count);
        Assert.Equal(16, decision.Embedding.Length);
        Assert.Equal("mixllm", decision.Policy);

        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.json");
        try
        {
            engine.Save(path);
            var loaded = new MixLlmRouter(MixLlmEngine.Load(path), encoder);
            var again = await loaded.RouteAsync(new RoutingRequest { RequestId = "r", QueryText = questions[30], PromptTokens = 80, Candidates = arms }, CancellationToken.None);
            Assert.Equal(decision.RankedArms, again.RankedArms);
            Assert.Equal(decision.Scores, again.Scores);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
