using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Tests.Data;

namespace Router.Training.Tests.Evaluation;

public sealed class RouteLlmMetricsTests
{
    static RouteLlmMetricsTests() => ProgressUi.Enabled = false;

    // weak 0.5, strong 0.9; the curve (0, .5) (25, .7) (50, .8) (100, .9).
    private static readonly (double, double)[] Table = [(50, 0.8), (0, 0.5), (100, 0.9), (25, 0.7)];

    [Fact]
    public void Apgr_TinyTable_MatchesHandComputedTrapezoid()
    {
        // AUC = .25·(.5+.7)/2 + .25·(.7+.8)/2 + .5·(.8+.9)/2 = .7625; (.7625 − .5) / (.9 − .5) = .65625.
        Assert.Equal(0.65625, RouteLlmMetrics.Apgr(Table, 0.5, 0.9), 12);
    }

    [Fact]
    public void Apgr_MissingExtremes_AreAddedAsAllWeakAndAllStrong()
    {
        // (0, .5) and (100, .9) added: AUC = .25·.6 + .75·.8 = .75; (.75 − .5) / .4 = .625.
        Assert.Equal(0.625, RouteLlmMetrics.Apgr([(25, 0.7)], 0.5, 0.9), 12);
        Assert.Equal(0.5, RouteLlmMetrics.Apgr([], 0.5, 0.9), 12); // the random router's line
    }

    [Fact]
    public void CallsToReach_TinyTable_InterpolatesLikeNpInterp()
    {
        // 50% of the gap: .7, reached at the point (25, .7); 80%: .82, between (50, .8) and (100, .9): 50 + .2·50 = 60.
        Assert.Equal(25, RouteLlmMetrics.CallsToReach(Table, 0.5, 0.9, 0.5), 9);
        Assert.Equal(60, RouteLlmMetrics.CallsToReach(Table, 0.5, 0.9, 0.8), 9);
        Assert.Equal(0, RouteLlmMetrics.CallsToReach([(0, 0.6), (40, 0.95)], 0.5, 0.9, 0.2), 9); // np.interp clamps at the first point
    }

    [Fact]
    public void CallsToReach_NonMonotoneCurve_TakesTheFirstCrossing()
    {
        // (0, .5) (10, .8) (20, .6) (100, .9): 50% (.7) is first crossed between 0 and 10 at 10·(.2/.3).
        Assert.Equal(10 * 0.2 / 0.3, RouteLlmMetrics.CallsToReach([(10, 0.8), (20, 0.6)], 0.5, 0.9, 0.5), 9);
    }

    [Fact]
    public void Evaluate_PairWithResponses_ReportsApgrOnStrongCallsAndTheOracleMatchesItsCounts()
    {
        var outDir = DataFiles.NewTempFolder();
        using var encoder = new HashingTextEncoder(32);
        var options = new EvaluateOptions
        {
            Data = [PairwiseResponsesLoaderTests.Gsm8kFixture], TestFraction = 0.5, Out = outDir, Seed = 1, MlpEpochs = 3,
            ArmsFile = Path.Combine(DataFiles.RepositoryRoot, "deploy", "arms", "routellm.json"),
        };

        var report = EvaluationPipeline.Run(options, encoder, CancellationToken.None);
        var files = ReportWriter.Write(report, outDir);

        var pair = Assert.IsType<PgrPair>(report.PgrPair);
        Assert.Equal(("gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1", ReportBuilder.StrongCallsAxis), (pair.Strong, pair.Weak, pair.Axis));
        Assert.False(report.CrossDomain);
        Assert.All(report.Policies, p => Assert.NotNull(p.Apgr));

        // The oracle calls the strong model exactly where the weak one is wrong and the strong one right: its one
        // point (x, q) with the extremes gives AUC = x/100·(w+q)/2 + (1 − x/100)·(q+s)/2.
        var oracle = report.Policies.Single(p => p.Name == "oracle");
        var (x, q) = (oracle.Points[0].StrongPct!.Value / 100, oracle.Points[0].Quality);
        var (w, s) = (pair.WeakQuality, pair.StrongQuality);
        var expected = (x * (w + q) / 2 + (1 - x) * (q + s) / 2 - w) / (s - w);
        Assert.Equal(expected, oracle.Apgr!.Value, 9);
        Assert.Equal(0.5, report.Policies.Single(p => p.Name == "arm:" + pair.Weak).Apgr!.Value, 9);
        Assert.Contains(files, f => f.EndsWith("pgr.png", StringComparison.Ordinal));
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## RouteLLM metrics", md, StringComparison.Ordinal);
        var json = File.ReadAllText(Path.Combine(outDir, "report.json"));
        foreach (var field in new[] { "\"apgr\"", "\"cpt50\"", "\"cpt80\"", "\"pgr_pair\"", "\"strong_pct\"" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluate_TrainOnOneTaskTestOnAnother_SaysCrossDomain()
    {
        var mmlu = DataFiles.CutCsv(Path.Combine(DataFiles.Root, "routellm", "mmlu", "mmlu_anatomy.csv"), Path.Combine(DataFiles.NewTempFolder(), "mmlu_anatomy.csv"), 20);
        using var encoder = new HashingTextEncoder(32);

        var report = EvaluationPipeline.Run(new EvaluateOptions
        {
            Train = [mmlu], Test = [PairwiseResponsesLoaderTests.Gsm8kFixture], Out = "unused", Policies = ["mixllm", "knn"],
            ArmsFile = Path.Combine(DataFiles.RepositoryRoot, "deploy", "arms", "routellm.json"),
        }, encoder, CancellationToken.None);

        Assert.True(report.CrossDomain);
        Assert.Contains(report.Settings.Values, v => v.StartsWith("cross-domain: yes", StringComparison.Ordinal));
        Assert.InRange(report.Policies.Single(p => p.Name == "mixllm").Apgr!.Value, -2, 2);
    }
}
