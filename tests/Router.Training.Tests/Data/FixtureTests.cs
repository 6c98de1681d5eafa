using System.Text.Json.Nodes;
using Router.Training.Data;

namespace Router.Training.Tests.Data;

/// <summary>
/// The committed fixtures (tests/fixtures) load with the data set readers, and, where the full public data is
/// present, are exactly the first records of the public files (scripts/cut-fixtures.py regenerates them).
/// </summary>
public sealed class FixtureTests
{
    // RouterBench's 11 models, 7 RouterDC models, RouteLLM's pair (tests/fixtures/README.md).
    [Theory]
    [InlineData("routerbench", 11)]
    [InlineData("routerdc7", 7)]
    [InlineData("routellm", 2)]
    public void Load_EachFixtureFolder_ReadsEveryRecordWithItsArms(string folder, int arms)
    {
        var root = Path.Combine(DataFiles.Root, folder);
        var records = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(CountRecords);

        var data = DatasetLoader.Load([root]);

        Assert.Equal(arms, data.Arms.Count);
        Assert.Equal(records, data.Queries.Count);
    }

    [DataFact]
    public void Fixtures_AreTheFirstRecordsOfThePublicFiles()
    {
        var full = TestData.RequireFull();
        var fixtures = Directory.EnumerateFiles(DataFiles.Root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".csv" or ".json")
            .ToList();
        Assert.NotEmpty(fixtures);
        foreach (var fixture in fixtures)
        {
            var source = Path.Combine(full, Path.GetRelativePath(DataFiles.Root, fixture));
            Assert.True(File.Exists(source), $"{source}: the fixture's source file is missing");
            if (fixture.EndsWith(".csv", StringComparison.Ordinal))
            {
                var cut = ReadCsv(fixture, int.MaxValue);
                Assert.Equal(ReadCsv(source, cut.Count), cut);
            }
            else
            {
                var cut = JsonNode.Parse(File.ReadAllText(fixture))!.AsArray();
                var whole = JsonNode.Parse(File.ReadAllText(source))!.AsArray();
                Assert.True(cut.Count <= whole.Count, fixture);
                for (var i = 0; i < cut.Count; i++)
                {
                    Assert.True(JsonNode.DeepEquals(cut[i], whole[i]), $"{fixture}: element {i} differs from {source}");
                }
            }
        }
    }

    [DataFact]
    public void Load_FullRouterBenchTrainFiles_ReadsAll2225RowsAnd11Arms()
    {
        // data/SOURCES.md: 1,039 + 299 + 887 rows.
        var data = DatasetLoader.Load([Path.Combine(TestData.RequireFull(), "routerbench")]);

        Assert.Equal(11, data.Arms.Count);
        Assert.Equal(2225, data.Queries.Count);
    }

    private static int CountRecords(string file) =>
        file.EndsWith(".json", StringComparison.Ordinal)
            ? JsonNode.Parse(File.ReadAllText(file))!.AsArray().Count
            : ReadCsv(file, int.MaxValue).Count - 1;

    /// <summary>The header and records of a CSV, at most <paramref name="records"/> of them (header included).</summary>
    private static List<List<string>> ReadCsv(string path, int records)
    {
        using var reader = CsvReader.Open(path);
        var rows = new List<List<string>>();
        while (rows.Count < records && reader.ReadRecord() is { } record)
        {
            rows.Add(record);
        }

        return rows;
    }
}
