using Router.Training.Data;

namespace Router.Training.Tests.Data;

public sealed class RouterBenchCsvLoaderTests
{
    private const string Header = ",sample_id,prompt,eval_name,m1,m2,m1|model_response,m2|model_response,m1|total_cost,m2|total_cost,oracle_model_to_route_to";

    [Fact]
    public void Load_SharedFileCut_ReadsArmsPromptsCostsAndTokens()
    {
        var dir = DataFiles.NewTempFolder();
        var path = DataFiles.CutCsv(Path.Combine(DataFiles.RouterBench, "arc_challenge_train.csv"), Path.Combine(dir, "arc.csv"), 12);

        var data = RouterBenchCsvLoader.Load(path);

        Assert.Equal(11, data.Arms.Count);
        Assert.Contains("gpt-4-1106-preview", data.Arms);
        Assert.Equal(12, data.Queries.Count);
        foreach (var q in data.Queries)
        {
            Assert.Equal("arc-challenge", q.Task);
            Assert.DoesNotContain("['", q.Prompt[..2], StringComparison.Ordinal);
            Assert.True(q.PromptTokens > 10);
            var gpt4 = q.Outcomes[data.ArmIndex("gpt-4-1106-preview")]!;
            Assert.InRange(gpt4.Quality, 0, 1);
            Assert.True(gpt4.CostUsd > 0);
            Assert.NotNull(gpt4.Response);

            // RouterBench's cost column follows list prices: GPT-4 Turbo is $10/M in, $30/M out.
            var priced = (gpt4.PromptTokens * 10.0 + gpt4.CompletionTokens!.Value * 30.0) / 1e6;
            Assert.InRange(gpt4.CostUsd!.Value, priced * 0.8, priced * 1.25);
        }
    }

    [Fact]
    public void Load_EmptyQualityCell_SkipsThatPairOnly()
    {
        var path = Write(Header + "\n0,s1,\"['q one']\",t,1.0,,\"['a']\",\"['b']\",0.001,0.002,m1\n");

        var q = Assert.Single(RouterBenchCsvLoader.Load(path).Queries);

        Assert.NotNull(q.Outcomes[0]);
        Assert.Null(q.Outcomes[1]);
        Assert.Equal("q one", q.Prompt);
    }

    [Fact]
    public void Load_RepeatedSampleId_KeepsDifferentPromptsDropsExactRepeats()
    {
        var path = Write(Header + "\n" +
            "0,s1,\"['first']\",t,1,0,\"['a']\",\"['b']\",0.001,0.002,m1\n" +
            "1,s1,\"['second']\",t,0,1,\"['a']\",\"['b']\",0.001,0.002,m2\n" +
            "2,s1,\"['first']\",t,1,0,\"['a']\",\"['b']\",0.001,0.002,m1\n");

        var data = RouterBenchCsvLoader.Load(path);

        Assert.Equal(["s1", "s1#2"], data.Queries.Select(q => q.Id));
        Assert.Equal(["first", "second"], data.Queries.Select(q => q.Prompt));
    }

    [Fact]
    public void Load_QualityNotANumber_ReportsFileLineAndColumn()
    {
        var path = Write(Header + "\n0,s1,\"['q']\",t,yes,0,\"['a']\",\"['b']\",0.001,0.002,m1\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Equal(2, e.Line);
        Assert.Equal(16, e.Column); // "0,s1,\"['q']\",t," is 15 characters
        Assert.Contains(path + ":2:16:", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_QualityOutOfRange_ReportsIt()
    {
        var path = Write(Header + "\n0,s1,\"['q']\",t,1.5,0,\"['a']\",\"['b']\",0.001,0.002,m1\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Contains("outside [0, 1]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Load_NonFiniteCost_ReportsFileLineAndColumn(string cost)
    {
        var path = Write(Header + $"\n0,s1,\"['q']\",t,1,0,\"['a']\",\"['b']\",{cost},0.002,m1\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Contains(path + ":2:", e.Message, StringComparison.Ordinal);
        Assert.Contains("total_cost", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnclosedQuote_ReportsWhereTheFieldStarts()
    {
        var path = Write(Header + "\n0,s1,\"['q']\",t,1,0,\"['a']\",\"['b\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Equal(2, e.Line);
        Assert.Equal(28, e.Column);
        Assert.Contains("not closed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShortRow_ReportsFieldCount()
    {
        var path = Write(Header + "\n0,s1,\"['q']\",t,1\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Contains("row has 5 fields, header has 11", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingColumn_SaysWhichOne()
    {
        var path = Write("sample_id,prompt,m1,m1|total_cost\ns,p,1,0.1\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Contains("eval_name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateColumnName_ReportsItsPosition()
    {
        var path = Write(",sample_id,prompt,eval_name,m1,m1,m1|total_cost\n0,s1,q,t,1,0,0.001\n");

        var e = Assert.Throws<DatasetFormatException>(() => RouterBenchCsvLoader.Load(path));

        Assert.Contains(path + ":1:32: duplicate column name 'm1'", e.Message, StringComparison.Ordinal);
    }

    private static string Write(string content)
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "rb.csv");
        File.WriteAllText(path, content);
        return path;
    }
}
