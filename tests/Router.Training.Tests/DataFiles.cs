using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Training.Data;

namespace Router.Training.Tests;

/// <summary>
/// The routing data the tests read: the committed fixtures (<see cref="TestData.Fixtures"/>, the first rows of each
/// public file), smaller cuts of them made at test time, and a scratch folder.
/// </summary>
internal static class DataFiles
{
    public static string Root => TestData.Fixtures;

    public static string RouterBench => Path.Combine(Root, "routerbench");

    /// <summary>The repository root (the folder above the test binaries that holds Router.sln).</summary>
    public static string RepositoryRoot { get; } = LocateAbove("Router.sln");

    private static string LocateAbove(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, file)))
            {
                return dir.FullName;
            }
        }

        throw new FileNotFoundException($"{file} not found above {AppContext.BaseDirectory}");
    }

    public static string NewTempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "router-training-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes the header and the first <paramref name="rows"/> records of a CSV to <paramref name="target"/>.</summary>
    public static string CutCsv(string source, string target, int rows)
    {
        using var reader = CsvReader.Open(source);
        var sb = new StringBuilder();
        for (var i = 0; i <= rows && reader.ReadRecord() is { } record; i++)
        {
            sb.AppendLine(string.Join(",", record.Select(Quote)));
        }

        File.WriteAllText(target, sb.ToString());
        return target;
    }

    /// <summary>A folder with the first <paramref name="rows"/> rows of each RouterBench train file.</summary>
    public static string CutRouterBench(int rows)
    {
        var dir = NewTempFolder();
        foreach (var file in Directory.GetFiles(RouterBench, "*.csv").Order(StringComparer.Ordinal))
        {
            CutCsv(file, Path.Combine(dir, Path.GetFileName(file)), rows);
        }

        return dir;
    }

    /// <summary>The first <paramref name="items"/> elements of a score JSON.</summary>
    public static string CutJson(string source, string target, int items)
    {
        var array = JsonNode.Parse(File.ReadAllText(source))!.AsArray();
        var cut = new JsonArray(array.Take(items).Select(n => n!.DeepClone()).ToArray());
        File.WriteAllText(target, cut.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return target;
    }

    public static string Quote(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
