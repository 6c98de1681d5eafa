using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.DependencyInjection;
using Router.Core.Learning;
using Router.Core.Prediction;
using Router.Core.Routing;
using Router.Core.Tagging;
using Router.Core.Tests.Tagging;
using Router.Core.Training;

namespace Router.Core.Tests.Decision;

public sealed class EngineIntegrationTests
{
    private static readonly ArmDefinition[] Arms =
    [
        new() { Name = "a", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
        new() { Name = "b", InputPricePerMillion = 5, OutputPricePerMillion = 10 },
    ];

    [Fact]
    public void PredictAll_ComposedScore_EqualsScore()
    {
        var engine = Trained(QualityLearner.Ridge);
        var (raw, _) = TagLossesTests.Blobs(perCluster: 3, clusters: 2, dimension: 8, seed: 6);
        var e = MixLlmTrainer.ProjectAll(engine, raw);
        var predictions = engine.PredictAll(e, [10, 20, 30, 40, 50, 60], Arms);
        var policy = new RoutingPolicy { Lambda = 3, Alpha = 0.2, Beta = 0, TargetLatencySeconds = 100 };
        for (var i = 0; i < 6; i++)
        {
            var scores = engine.Score(e.AsSpan(i * 4, 4), 10 * (i + 1), Arms, policy);
            for (var a = 0; a < Arms.Length; a++)
            {
                var p = predictions[(i * 2) + a];
                Assert.Equal((3 * p.Quality) - (p.CostUsd / engine.CostReference) + (0.2 * p.Uncertainty) + (3 * p.FeedbackTerm), scores[a].Score, 12);
            }
        }
    }

    [Fact]
    public void MlpArm_SaveLoadAndEvents_StayBitIdentical()
    {
        var engine = Trained(QualityLearner.Mlp);
        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.json");
        try
        {
            engine.Save(path);
            var loaded = MixLlmEngine.Load(path);
            Assert.Equal(engine.StateHash(), loaded.StateHash());
            float[] e = [0.5f, 0.5f, 0.5f, 0.5f];
            var before = loaded.Predict(Arms[0], e, 10).Quality;
            foreach (var target in new[] { engine, loaded })
            {
                for (var i = 0; i < 10; i++)
                {
                    target.Apply(new RefinedFeedback { Arm = "a", Embedding = e, Score = 1 });
                }
            }

            Assert.Equal(engine.StateHash(), loaded.StateHash());
            Assert.True(loaded.Predict(Arms[0], e, 10).Quality > before);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task AddMixLlmRouter_CheckpointPathToNoFile_FailsTheStartSayingWhy()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMixLlmRouter(o => o.CheckpointPath = Path.Combine(Path.GetTempPath(), "missing-checkpoint-" + Guid.NewGuid().ToString("N") + ".json"));
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("CheckpointPath names no file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredPath_RelativeToAParentOfTheSearchStart_IsFound_BeforeTheAppFolder()
    {
        var root = Directory.CreateTempSubdirectory("router-path-");
        try
        {
            var nested = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "Gateway"));
            var app = Directory.CreateDirectory(Path.Combine(root.FullName, "app"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "deploy"));
            Directory.CreateDirectory(Path.Combine(app.FullName, "deploy"));
            File.WriteAllText(Path.Combine(root.FullName, "deploy", "arms.json"), "{}");
            File.WriteAllText(Path.Combine(app.FullName, "deploy", "arms.json"), "{}");
            var relative = Path.Combine("deploy", "arms.json");

            Assert.Equal(Path.Combine(root.FullName, relative), ConfiguredPath.Resolve(relative, [nested.FullName, app.FullName]));
            Assert.Equal(Path.Combine(app.FullName, relative), ConfiguredPath.Resolve(relative, [app.FullName, nested.FullName]));
            Assert.Equal(Path.Combine(nested.FullName, "nothing.json"), ConfiguredPath.Resolve("nothing.json", [nested.FullName]));
            Assert.Equal(Path.Combine(root.FullName, relative), ConfiguredPath.Resolve(Path.Combine(root.FullName, relative), [app.FullName]));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AddMixLlmRouter_NoCheckpoint_RoutesWithUntrainedEngineAndLearns()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMixLlmRouter(o => o.CheckpointPath = null);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var router = host.Services.GetRequiredService<IRouter>();
            var engine = host.Services.GetRequiredService<MixLlmEngine>();
            Assert.Equal(64, engine.EmbeddingDimension);

            var request = new RoutingRequest { RequestId = "r1", QueryText = "What is 2 + 2?", PromptTokens = 10, Candidates = Arms, Policy = new RoutingPolicy { Lambda = 1, Alpha = 0 } };
            var first = await router.RouteAsync(request, CancellationToken.None);

            // Strong refined feedback against the first choice, for this very query, turns the decision around.
            for (var i = 0; i < 30; i++)
            {
                engine.Apply(new RefinedFeedback { Arm = first.ChosenArm, Embedding = first.Embedding.ToArray(), Score = 0 });
                engine.Apply(new RefinedFeedback { Arm = first.RankedArms[1], Embedding = first.Embedding.ToArray(), Score = 1 });
            }

            var second = await router.RouteAsync(request with { RequestId = "r2" }, CancellationToken.None);
            Assert.NotEqual(first.ChosenArm, second.ChosenArm);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddMixLlmRouter_BadOptions_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMixLlmRouter(o => o.MaxTokens = 1);
        using var host = builder.Build();
        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    private static MixLlmEngine Trained(QualityLearner learner)
    {
        var (raw, labels) = TagLossesTests.Blobs(perCluster: 20, clusters: 2, dimension: 8, seed: 6);
        var n = labels.Length;
        var data = new TrainingData
        {
            EncoderId = "blobs", EncoderDimension = 8, Embeddings = raw, PromptTokens = Enumerable.Repeat(50, n).ToArray(), Arms = Arms,
            Quality = [labels.Select(l => l == 0 ? 0.9 : 0.3).ToArray(), labels.Select(l => l == 0 ? 0.5 : 0.95).ToArray()],
            CompletionTokens = [Enumerable.Repeat(120.0, n).ToArray(), Enumerable.Repeat(300.0, n).ToArray()],
            ClusterLabels = labels,
        };
        return MixLlmTrainer.Train(data, new MixLlmTrainingOptions
        {
            Head = new TagHeadOptions { OutputDimension = 4, Epochs = 10, BatchSize = 8 },
            QualityLearner = learner,
            MlpHidden = 8,
            MlpEpochs = 20,
        });
    }
}
