using Router.Core.Decision;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Tests.Data;

namespace Router.Training.Tests.Evaluation;

public sealed class CascadePolicyTests
{
    static CascadePolicyTests() => ProgressUi.Enabled = false;

    private static EvaluationReport Run(string[] policies, params string[] data)
    {
        using var encoder = new HashingTextEncoder(32);
        return EvaluationPipeline.Run(new EvaluateOptions
        {
            Data = data, TestFraction = 0.5, Out = "unused", Seed = 2, Policies = policies,
            ArmsFile = Path.Combine(DataFiles.RepositoryRoot, "deploy", "arms", "routellm.json"),
        }, encoder, CancellationToken.None);
    }

    [Fact]
    public void Evaluate_CascadeOnThePair_SameFirstArmAsMixllmAndEveryEscalationBilled()
    {
        var report = Run(["mixllm", "cascade", "cascade+probe"], PairwiseResponsesLoaderTests.Gsm8kFixture);

        var mix = report.Policies.Single(p => p.Name == "mixllm").Points;
        var cascade = report.Policies.Single(p => p.Name == "cascade");
        Assert.NotNull(cascade.Apgr);
        var weak = report.Policies.Single(p => p.Name == "arm:mistralai/Mixtral-8x7B-Instruct-v0.1").Points[0];
        foreach (var point in cascade.Points)
        {
            // The cascade's router is mixllm's: at the same λ it starts where mixllm routes, and only adds calls.
            var same = mix.LastOrDefault(m => m.Lambda <= point.Lambda);
            if (same is not null)
            {
                Assert.True(point.Cost >= same.Cost - 1e-12, $"λ={point.Lambda}");
            }
        }

        // Every cascade point pays at least the all-weak bill; on a pair there is no third arm to probe, so
        // cascade+probe is the cascade.
        Assert.All(cascade.Points, p => Assert.True(p.Cost >= weak.Cost - 1e-12));
        var probe = report.Policies.Single(p => p.Name == "cascade+probe").Points;
        Assert.Equal(cascade.Points.Select(p => (p.Quality, p.Cost)), probe.Select(p => (p.Quality, p.Cost)));
        Assert.Contains(report.Settings.Values, v => v.StartsWith("cascade: verifier trained", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_CascadeWithoutResponses_LeftOutWithANote()
    {
        var mmlu = DataFiles.CutCsv(Path.Combine(DataFiles.Root, "routellm", "mmlu", "mmlu_anatomy.csv"), Path.Combine(DataFiles.NewTempFolder(), "mmlu_anatomy.csv"), 20);

        var report = Run(["mixllm", "cascade"], mmlu);

        Assert.DoesNotContain(report.Policies, p => p.Name == "cascade");
        Assert.Contains(report.Settings.Values, v => v.StartsWith("cascade policies left out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Train_WithVerifier_WritesItIntoTheCheckpoint()
    {
        var outDir = DataFiles.NewTempFolder();

        var rc = await Router.Training.Commands.TrainCommand.Create().Parse(["--data", PairwiseResponsesLoaderTests.Gsm8kFixture, "--out", outDir, "--encoder", "hashing",
            "--arms", Path.Combine(DataFiles.RepositoryRoot, "deploy", "arms", "routellm.json"), "--verifier"]).InvokeAsync();

        Assert.Equal(0, rc);
        var engine = MixLlmEngine.Load(Path.Combine(outDir, "checkpoint.json"));
        Assert.Equal(["mistralai/Mixtral-8x7B-Instruct-v0.1"], engine.Verifier!.Arms);
    }

    [Fact]
    public void RocAuc_TinyTable_MatchesHandCount()
    {
        // Positives 0.9, 0.5; negatives 0.5, 0.1: pairs (pos > neg) 0.9>0.5, 0.9>0.1, 0.5>0.1, 0.5=0.5 (half): 3.5 / 4.
        Assert.Equal(0.875, Router.Training.Verification.CascadePolicy.RocAuc([(0.9, true), (0.5, true), (0.5, false), (0.1, false)]), 12);
    }
}
