using Router.Training.Data;

namespace Router.Training.Tests.Data;

public sealed class PairwiseResponsesLoaderTests
{
    private const string Weak = "mistralai/Mixtral-8x7B-Instruct-v0.1";
    private const string Strong = "gpt-4-1106-preview";

    /// <summary>A 16-row synthetic file in the layout of RouteLLM's gsm8k_responses.csv (that file is not in ../shared/data).</summary>
    public static string Gsm8kFixture => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "gsm8k_responses_sample.csv");

    [Fact]
    public void Load_RouteLlmResponsesLayout_ReadsCorrectnessAndResponses()
    {
        var data = DatasetLoader.LoadFile(Gsm8kFixture);

        Assert.Equal([Weak, Strong], data.Arms);
        Assert.Equal(16, data.Queries.Count);
        Assert.Empty(data.Notes);
        var first = data.Queries[0];
        Assert.Equal("gsm8k_responses_sample", first.Task);
        Assert.Equal(0, first.Outcomes[0]!.Quality);
        Assert.Equal(1, first.Outcomes[1]!.Quality);
        Assert.EndsWith("The answer is 88.", first.Outcomes[0]!.Response, StringComparison.Ordinal);
        Assert.EndsWith("The answer is 87.", first.Outcomes[1]!.Response, StringComparison.Ordinal);
        Assert.All(data.Queries.SelectMany(q => q.Outcomes), o => Assert.True(o!.CompletionTokens > 5));
    }

    [Fact]
    public void Load_ExtraColumns_IgnoredWithANote()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "gsm8k_responses.csv");
        File.WriteAllText(path, "prompt,Unnamed: 0,a,b,a_response,b_response,answer\nq1,0,True,False,4,5,4\nq2,1,False,True,7,8,8\n");

        var data = DatasetLoader.Load([path]);

        Assert.Equal(["a", "b"], data.Arms);
        Assert.Equal("8", data.Queries[1].Outcomes[1]!.Response);
        var note = Assert.Single(data.Notes);
        Assert.Contains("Unnamed: 0, answer", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadCellInAModelWithResponses_NamesFileRowAndColumn()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "g.csv");
        File.WriteAllText(path, "prompt,a,a_response\nq1,True,x\nq2,yes,y\n");

        var e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadFile(path));

        Assert.Equal((3, 4), (e.Line, e.Column));
        Assert.Contains("column 'a': 'yes' is not True/False", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ResponseColumnWithoutItsModel_NamesTheColumn()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "g.csv");
        File.WriteAllText(path, "prompt,a,b_response\nq1,True,x\n");

        var e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadFile(path));

        Assert.Equal((1, 10), (e.Line, e.Column));
        Assert.Contains("'b_response' has no correctness column 'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoModelColumn_ClearError()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "g.csv");
        File.WriteAllText(path, "prompt,answer\nq1,42\n");

        var e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadFile(path));

        Assert.Contains("no model column", e.Message, StringComparison.Ordinal);
    }
}
