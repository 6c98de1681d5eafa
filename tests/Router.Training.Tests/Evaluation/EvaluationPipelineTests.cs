using System.Text.Json;
using Router.Training.Embeddings;
using Router.Training.Evaluation;

namespace Router.Training.Tests.Evaluation;

public sealed class EvaluationPipelineTests
{
    static EvaluationPipelineTests() => ProgressUi.Enabled = false;

    [Fact]
    public void Run_TinyRouterBenchSubset_WritesContractReportAndPlots()
    {
        var data = DataFiles.CutRouterBench(15);
        var outDir = DataFiles.NewTempFolder();
        var options = new EvaluateOptions { Data = [data], TestFraction = 0.3, Out = outDir, Seed = 3, MlpEpochs = 5, TimeLimit = 5, ArrivalRate = 4 };

        using var encoder = new HashingTextEncoder(64);
        var report = EvaluationPipeline.Run(options, encoder, CancellationToken.None);
        var files = ReportWriter.Write(report, outDir);

        Assert.Equal("gpt-4-1106-preview", report.ReferenceArm);
        var names = report.Policies.Select(p => p.Name).ToList();
        foreach (var expected in new[] { "mixllm", "mixllm-notags", "mixllm-nobonus", "mixllm-nolatency", "knn", "mlp", "random", "cheapest", "oracle", "arm:gpt-4-1106-preview", "arm:zero-one-ai/Yi-34B-Chat" })
        {
            Assert.Contains(expected, names);
        }

        var reference = report.Policies.Single(p => p.Name == "arm:gpt-4-1106-preview").Points.Single();
        Assert.Equal(100, reference.QualityPctOfReference, 9);
        Assert.Equal(100, reference.CostPctOfReference, 9);
        var oracle = report.Policies.Single(p => p.Name == "oracle").Points.Single();
        Assert.All(report.Policies.Where(p => p.Name.StartsWith("arm:", StringComparison.Ordinal)), p => Assert.True(oracle.Quality >= p.Points[0].Quality));
        var mix = report.Policies.Single(p => p.Name == "mixllm").Points;
        Assert.True(mix.Count > 3);
        Assert.All(mix.Zip(mix.Skip(1)), p => Assert.True(p.First.Quality != p.Second.Quality || p.First.Cost != p.Second.Cost));

        // Per task too, the oracle (best answer, cheapest among ties) dominates every single arm.
        var oracleReport = report.Policies.Single(p => p.Name == "oracle");
        foreach (var task in report.Tasks)
        {
            Assert.All(report.Policies.Where(p => p.Name.StartsWith("arm:", StringComparison.Ordinal)), p => Assert.True(oracleReport.AiqPerTask[task] >= p.AiqPerTask[task] - 1e-12, $"{task} {p.Name}"));
            Assert.True(oracleReport.AiqPerTask[task] > 0.3, task);
        }
        Assert.All(report.Policies, p => Assert.InRange(p.Aiq, 0, 1));
        Assert.Equal(report.Tasks.Order(), report.Policies[0].AiqPerTask.Keys.Order());
        Assert.NotNull(report.TimeLimited);
        Assert.Contains("task-oracle", names);
        Assert.DoesNotContain(report.TimeLimited.Policies, p => p.Name.StartsWith("task-oracle", StringComparison.Ordinal)); // it ignores queues

        // The JSON carries the contract's field names.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var root = json.RootElement;
        Assert.Equal("gpt-4-1106-preview", root.GetProperty("reference_arm").GetString());
        Assert.Equal(report.TestQueries, root.GetProperty("test_queries").GetInt32());
        var point = root.GetProperty("policies")[0].GetProperty("points")[0];
        foreach (var field in new[] { "lambda", "quality", "cost", "quality_pct_of_reference", "cost_pct_of_reference" })
        {
            Assert.True(point.TryGetProperty(field, out _), field);
        }

        Assert.True(root.GetProperty("policies")[0].TryGetProperty("aiq", out _));
        foreach (var png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            var head = File.ReadAllBytes(png)[..4];
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, head);
        }

        Assert.Contains("| mixllm |", File.ReadAllText(Path.Combine(outDir, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithCascadeAndBounds_ReportsTheVirtualArmAndBoundsBelowTheOracle()
    {
        var data = DataFiles.CutRouterBench(20);
        var options = new EvaluateOptions
        {
            Data = [data], TestFraction = 0.3, Out = DataFiles.NewTempFolder(), Seed = 5,
            Policies = ["mixllm", "oracle", "task-oracle"], Cascades = ["Yi+mixtral>gpt-4"], RevealedFractions = [0.5],
        };

        using var encoder = new HashingTextEncoder(64);
        var report = EvaluationPipeline.Run(options, encoder, CancellationToken.None);

        var cascade = report.Policies.Single(p => p.Name == "arm:Yi-34B-Chat+mixtral-8x7b-chat>gpt-4-1106-preview").Points.Single();
        var yi = report.Policies.Single(p => p.Name == "arm:zero-one-ai/Yi-34B-Chat").Points.Single();
        var mixtral = report.Policies.Single(p => p.Name == "arm:mistralai/mixtral-8x7b-chat").Points.Single();
        Assert.True(cascade.Cost >= yi.Cost + mixtral.Cost - 1e-12, "a cascade pays both members on every query");
        var oracle = report.Policies.Single(p => p.Name == "oracle").Points.Single();
        foreach (var bound in new[] { "task-oracle", "task-oracle+reveal=0.5" })
        {
            var points = report.Policies.Single(p => p.Name == bound).Points;
            Assert.True(points.Count > 2, bound);
            Assert.All(points, p => Assert.True(p.Quality <= oracle.Quality + 1e-12, bound));
            Assert.All(points.Zip(points.Skip(1)), p => Assert.True(p.Second.Cost >= p.First.Cost - 1e-12, bound));
        }

        Assert.Contains(report.Settings.Values, v => v.Contains("cascade arms", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_SeparateTrainAndTest_UsesTheTestFilesAndNamedReference()
    {
        var train = DataFiles.CutRouterBench(12);
        var test = DataFiles.CutRouterBench(5);
        using var encoder = new HashingTextEncoder(32);

        var report = EvaluationPipeline.Run(
            new EvaluateOptions { Train = [train], Test = [test], Out = "unused", ReferenceArm = "gpt-3.5-turbo-1106", Policies = ["mixllm", "knn"] },
            encoder, CancellationToken.None);

        Assert.Equal("gpt-3.5-turbo-1106", report.ReferenceArm);
        Assert.Equal(36, report.TrainQueries);
        Assert.InRange(report.TestQueries, 13, 15); // 15 rows, minus any lacking an arm's outcome
        Assert.Equal(100, report.Policies.Single(p => p.Name == "arm:gpt-3.5-turbo-1106").Points[0].QualityPctOfReference, 9);
        Assert.Throws<ArgumentException>(() => EvaluationPipeline.Run(
            new EvaluateOptions { Train = [train], Test = [test], Out = "unused", ReferenceArm = "nope" }, encoder, CancellationToken.None));
    }

    [Fact]
    public void Run_SameSeed_SameNumbers()
    {
        var data = DataFiles.CutRouterBench(10);
        EvaluationReport Once()
        {
            using var encoder = new HashingTextEncoder(32);
            return EvaluationPipeline.Run(new EvaluateOptions { Data = [data], Out = "unused", Seed = 9, MlpEpochs = 3, Policies = ["mixllm", "mlp", "random"] }, encoder, CancellationToken.None);
        }

        var a = Once();
        var b = Once();

        Assert.Equal(
            a.Policies.SelectMany(p => p.Points.Select(x => (p.Name, x.Quality, x.Cost))),
            b.Policies.SelectMany(p => p.Points.Select(x => (p.Name, x.Quality, x.Cost))));
    }
}
