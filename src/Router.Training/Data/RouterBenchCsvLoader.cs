using System.Globalization;

namespace Router.Training.Data;

/// <summary>
/// Reads the published RouterBench wide frame (DESIGN.md, "Data formats"): <c>sample_id, prompt, eval_name</c>, then
/// per model <c>M</c> (quality), <c>M|model_response</c>, <c>M|total_cost</c>, and <c>oracle_model_to_route_to</c>.
/// Prompts and responses are unwrapped from their Python-list-literal form; an empty quality cell drops that
/// (query, arm) pair; a repeated <c>sample_id</c> with a different prompt becomes its own query (<c>id#2</c>), an exact
/// repeat is dropped.
/// </summary>
public static class RouterBenchCsvLoader
{
    private static readonly HashSet<string> NonModelColumns = new(StringComparer.Ordinal)
    {
        "", "sample_id", "prompt", "eval_name", "oracle_model_to_route_to",
    };

    /// <summary>True when the header names the columns of a RouterBench frame.</summary>
    public static bool LooksLike(IReadOnlyList<string> header) =>
        header.Contains("sample_id") && header.Contains("prompt") && header.Any(h => h.EndsWith("|total_cost", StringComparison.Ordinal));

    /// <summary>Loads one RouterBench CSV file.</summary>
    public static RoutingDataset Load(string path, CancellationToken cancellationToken = default)
    {
        using var csv = CsvReader.Open(path);
        var header = csv.ReadRecord() ?? throw new DatasetFormatException(path, 1, 1, "the file is empty");
        var col = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!col.TryAdd(header[i], i))
            {
                throw new DatasetFormatException(path, csv.FieldPositions[i].Line, csv.FieldPositions[i].Column, $"duplicate column name '{Truncate(header[i])}'");
            }
        }

        foreach (var required in new[] { "sample_id", "prompt", "eval_name" })
        {
            if (!col.ContainsKey(required))
            {
                throw new DatasetFormatException(path, 1, 1, $"missing column '{required}' (RouterBench frame expected)");
            }
        }

        var arms = header.Where(h => !NonModelColumns.Contains(h) && !h.Contains('|', StringComparison.Ordinal)).ToList();
        if (arms.Count == 0)
        {
            throw new DatasetFormatException(path, 1, 1, "no model columns found");
        }

        var armCols = arms.Select(a => (
            Quality: col[a],
            Response: col.GetValueOrDefault(a + "|model_response", -1),
            Cost: col.GetValueOrDefault(a + "|total_cost", -1))).ToArray();

        var queries = new List<DatasetQuery>();
        var seen = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (csv.ReadRecord() is { } row)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Count != header.Count)
            {
                throw new DatasetFormatException(path, csv.RecordLine, 1, $"row has {row.Count} fields, header has {header.Count}");
            }

            var sampleId = row[col["sample_id"]];
            var prompt = PythonLiteral.UnwrapList(row[col["prompt"]]);
            var task = row[col["eval_name"]];
            if (sampleId.Length == 0)
            {
                sampleId = $"{Path.GetFileNameWithoutExtension(path)}:{csv.RecordLine}";
            }

            if (seen.TryGetValue(sampleId, out var prompts))
            {
                if (prompts.Contains(prompt))
                {
                    continue;
                }

                prompts.Add(prompt);
                sampleId = $"{sampleId}#{prompts.Count}";
            }
            else
            {
                seen[sampleId] = [prompt];
            }

            var promptTokens = TokenCounter.Count(prompt);
            var outcomes = new ArmOutcome?[arms.Count];
            for (var a = 0; a < arms.Count; a++)
            {
                var (qc, rc, cc) = armCols[a];
                var qText = row[qc];
                if (qText.Length == 0)
                {
                    continue;
                }

                var quality = ParseDouble(path, csv, qc, qText, "quality");
                if (quality is < 0 or > 1 || double.IsNaN(quality))
                {
                    throw Error(path, csv, qc, $"quality {qText} is outside [0, 1]");
                }

                var response = rc >= 0 ? PythonLiteral.UnwrapList(row[rc]) : null;
                double? cost = cc >= 0 && row[cc].Length > 0 ? ParseDouble(path, csv, cc, row[cc], "total_cost") : null;
                if (cost < 0)
                {
                    throw Error(path, csv, cc, "total_cost is negative");
                }

                if (cost is { } c && !double.IsFinite(c))
                {
                    throw Error(path, csv, cc, $"total_cost {row[cc]} is not a finite number");
                }

                outcomes[a] = new ArmOutcome
                {
                    Quality = quality,
                    CostUsd = cost,
                    PromptTokens = promptTokens,
                    CompletionTokens = response is null ? null : TokenCounter.Count(response),
                    Response = response,
                };
            }

            queries.Add(new DatasetQuery
            {
                Id = sampleId,
                Prompt = prompt,
                Task = task,
                Tags = task.Length == 0 ? [] : [task],
                PromptTokens = promptTokens,
                Outcomes = outcomes,
            });
        }

        return new RoutingDataset(arms, queries);
    }

    private static double ParseDouble(string path, CsvReader csv, int column, string text, string what)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(path, csv, column, $"{what} '{Truncate(text)}' is not a number");
        }

        return value;
    }

    private static DatasetFormatException Error(string path, CsvReader csv, int column, string problem)
    {
        var (line, col) = csv.FieldPositions[column];
        return new DatasetFormatException(path, line, col, problem);
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
