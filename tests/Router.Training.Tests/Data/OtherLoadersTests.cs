using Router.Training.Data;

namespace Router.Training.Tests.Data;

public sealed class OtherLoadersTests
{
    [Fact]
    public void ScoreJson_SharedFileCut_ReadsSevenModelsAndTask()
    {
        var dir = DataFiles.NewTempFolder();
        var path = DataFiles.CutJson(Path.Combine(DataFiles.Root, "routerdc7", "mmlu_train.json"), Path.Combine(dir, "mmlu_train.json"), 6);

        var data = ScoreJsonLoader.Load(path);

        Assert.Equal(7, data.Arms.Count);
        Assert.Equal(6, data.Queries.Count);
        Assert.All(data.Queries, q => Assert.Equal("mmlu", q.Task));
        Assert.All(data.Queries, q => Assert.All(q.Outcomes, o => Assert.Null(o!.CostUsd)));
    }

    [Fact]
    public void ScoreJson_Malformed_ReportsLineAndColumn()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "bad.json");
        File.WriteAllText(path, "[\n  {\"question\": \"q\", \"scores\": {\"a\": 1}},\n  {\"question\": oops}\n]");

        var e = Assert.Throws<DatasetFormatException>(() => ScoreJsonLoader.Load(path));

        Assert.Equal(3, e.Line);
        Assert.Contains("invalid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoreJson_ScoreOutOfRange_NamesElementAndModel()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "bad.json");
        File.WriteAllText(path, "[{\"question\": \"q\", \"scores\": {\"a\": 3}}]");

        var e = Assert.Throws<DatasetFormatException>(() => ScoreJsonLoader.Load(path));

        Assert.Contains("element 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pairwise_SharedFileCut_ReadsTrueFalseAsQuality()
    {
        var dir = DataFiles.NewTempFolder();
        var path = DataFiles.CutCsv(Path.Combine(DataFiles.Root, "routellm", "mmlu", "mmlu_anatomy.csv"), Path.Combine(dir, "mmlu_anatomy.csv"), 10);

        var data = DatasetLoader.LoadFile(path);

        Assert.Equal(["mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"], data.Arms);
        Assert.Equal(10, data.Queries.Count);
        Assert.All(data.Queries, q => Assert.Equal(["mmlu_anatomy"], q.Tags));
        Assert.All(data.Queries.SelectMany(q => q.Outcomes), o => Assert.Contains(o!.Quality, new[] { 0.0, 1.0 }));
    }

    [Fact]
    public void Pairwise_BadCell_ReportsPosition()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "p.csv");
        File.WriteAllText(path, "prompt,a,b\nq1,True,False\nq2,True,Maybe\n");

        var e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadFile(path));

        Assert.Equal((3, 9), (e.Line, e.Column));
    }

    [Fact]
    public void Jsonl_GroupsLinesByQueryAndCountsMissingTokens()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "log.jsonl");
        File.WriteAllLines(path,
        [
            "{\"query_id\":\"q1\",\"prompt\":\"What is 2+2?\",\"arm\":\"a\",\"quality\":1,\"prompt_tokens\":7,\"completion_tokens\":1,\"cost\":0.001,\"latency\":0.4,\"tags\":[\"math\"],\"response\":\"4\"}",
            "",
            "{\"query_id\":\"q1\",\"prompt\":\"What is 2+2?\",\"arm\":\"b\",\"quality\":0,\"response\":\"five\"}",
            "{\"query_id\":\"q2\",\"prompt\":\"Capital of France?\",\"arm\":\"b\",\"quality\":1,\"task\":\"geo\"}",
        ]);

        var data = LongJsonlLoader.Load(path);

        Assert.Equal(["a", "b"], data.Arms);
        Assert.Equal(2, data.Queries.Count);
        var q1 = data.Queries[0];
        Assert.Equal(["math"], q1.Tags);
        Assert.Equal(0.4, q1.Outcomes[0]!.LatencySeconds);
        Assert.Equal(TokenCounter.Count("five"), q1.Outcomes[1]!.CompletionTokens);
        Assert.Equal(TokenCounter.Count("What is 2+2?"), q1.Outcomes[1]!.PromptTokens);
        Assert.Null(data.Queries[1].Outcomes[0]);
        Assert.Equal("geo", data.Queries[1].Task);
    }

    [Theory]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\"}", "missing number \"quality\"")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":2}", "in [0, 1]")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":1,\"cost\":\"x\"}", "\"cost\" must be a finite non-negative number")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":1,\"cost\":1e400}", "\"cost\" must be a finite non-negative number")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":1,\"prompt_tokens\":3.5}", "\"prompt_tokens\" must be a whole number of tokens")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":1,\"completion_tokens\":1e20}", "\"completion_tokens\" must be a whole number of tokens")]
    [InlineData("{\"prompt\":\"p\",\"arm\":\"a\",\"quality\":1,\"tags\":\"x\"}", "\"tags\" must be an array")]
    [InlineData("{\"prompt\":\"p\", oops}", "invalid JSON")]
    public void Jsonl_BadLine_ReportsLineNumber(string line, string problem)
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "bad.jsonl");
        File.WriteAllLines(path, ["{\"prompt\":\"ok\",\"arm\":\"a\",\"quality\":1}", line]);

        var e = Assert.Throws<DatasetFormatException>(() => LongJsonlLoader.Load(path));

        Assert.Equal(2, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetLoader_Folder_MergesFilesWithArmUnion()
    {
        var dir = DataFiles.NewTempFolder();
        File.WriteAllText(Path.Combine(dir, "x.csv"), "prompt,a,b\nq1,True,False\n");
        File.WriteAllText(Path.Combine(dir, "y.jsonl"), "{\"prompt\":\"q2\",\"arm\":\"c\",\"quality\":1}\n");

        var data = DatasetLoader.Load([dir]);

        Assert.Equal(["a", "b", "c"], data.Arms);
        Assert.Null(data.Queries[0].Outcomes[2]);
        Assert.Null(data.Queries[1].Outcomes[0]);
    }

    [Fact]
    public void Pairwise_DuplicateModelColumn_ReportsItsPosition()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "mmlu_x.csv");
        File.WriteAllText(path, "prompt,a,b,a\nq1,True,False,True\n");

        var e = Assert.Throws<DatasetFormatException>(() => PairwiseCsvLoader.Load(path));

        Assert.Contains(path + ":1:12: duplicate column name 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetLoader_UnknownPathOrType_ClearErrors()
    {
        var dir = DataFiles.NewTempFolder();
        var txt = Path.Combine(dir, "notes.txt");
        File.WriteAllText(txt, "hello");

        Assert.Contains("no such file", Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load([Path.Combine(dir, "missing.csv")])).Message, StringComparison.Ordinal);
        Assert.Contains("unsupported file type", Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load([txt])).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "odd.csv"), "x,y\n1,2\n");
        Assert.Contains("unknown CSV layout", Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load([Path.Combine(dir, "odd.csv")])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x.csv", "prompt,a,b\n")]
    [InlineData("x.json", "[]")]
    [InlineData("x.jsonl", "\n")]
    public void DatasetLoader_FilesWithNoRows_SaysThereAreNoQueries(string name, string content)
    {
        var dir = DataFiles.NewTempFolder();
        File.WriteAllText(Path.Combine(dir, name), content);

        var e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load([dir]));

        Assert.Contains("no queries (the data files hold no rows) in: " + dir, e.Message, StringComparison.Ordinal);
    }
}
