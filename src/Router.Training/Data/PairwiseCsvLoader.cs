namespace Router.Training.Data;

/// <summary>
/// Reads RouteLLM's pairwise correctness CSVs: <c>prompt</c>, one True/False column per model and, in RouteLLM's
/// <c>*_responses.csv</c> layout (routellm/evals/gsm8k/generate_responses.py), a <c>&lt;model&gt;_response</c>
/// column per model with its answer. No cost: costs are priced later from the arms file (completion tokens counted
/// from the response where there is one). A column is a model when it has a <c>_response</c> partner or its first
/// row holds True/False; any other column (an index, a label) is ignored and named in <see cref="RoutingDataset.Notes"/>.
/// The task is the file name (e.g. <c>mmlu_anatomy</c>), which also becomes the query's tag (the MMLU subject).
/// </summary>
public static class PairwiseCsvLoader
{
    /// <summary>Suffix of RouteLLM's response columns.</summary>
    public const string ResponseSuffix = "_response";

    /// <summary>True when the header is <c>prompt</c> followed by model columns.</summary>
    public static bool LooksLike(IReadOnlyList<string> header) =>
        header.Count >= 2 && header[0] == "prompt" && !header.Any(h => h.Contains("|total_cost", StringComparison.Ordinal));

    /// <summary>Loads one pairwise CSV file.</summary>
    public static RoutingDataset Load(string path, CancellationToken cancellationToken = default)
    {
        using var csv = CsvReader.Open(path);
        var header = csv.ReadRecord() ?? throw new DatasetFormatException(path, 1, 1, "the file is empty");
        if (header.Count < 2 || header[0] != "prompt")
        {
            throw new DatasetFormatException(path, 1, 1, "the first column must be 'prompt' (pairwise CSV expected)");
        }

        var col = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < header.Count; i++)
        {
            if (!col.TryAdd(header[i], i))
            {
                throw new DatasetFormatException(path, csv.FieldPositions[i].Line, csv.FieldPositions[i].Column, $"duplicate column name '{RouterBenchCsvLoader.Truncate(header[i])}'");
            }
        }

        foreach (var (name, i) in col.Where(c => c.Key.EndsWith(ResponseSuffix, StringComparison.Ordinal)))
        {
            if (!col.ContainsKey(name[..^ResponseSuffix.Length]))
            {
                throw new DatasetFormatException(path, csv.FieldPositions[i].Line, csv.FieldPositions[i].Column,
                    $"response column '{RouterBenchCsvLoader.Truncate(name)}' has no correctness column '{RouterBenchCsvLoader.Truncate(name[..^ResponseSuffix.Length])}'");
            }
        }

        var first = csv.ReadRecord();
        var candidates = Enumerable.Range(1, header.Count - 1).Where(i => !header[i].EndsWith(ResponseSuffix, StringComparison.Ordinal)).ToList();
        var modelCols = candidates.Where(i => col.ContainsKey(header[i] + ResponseSuffix)
            || (!IsPandasIndex(header[i]) && (first is null || (first.Count == header.Count && ParseCorrect(first[i]) is not null)))).ToList();
        var ignored = candidates.Except(modelCols).Select(i => header[i]).ToList();
        if (modelCols.Count == 0)
        {
            throw new DatasetFormatException(path, 2, 1, "no model column: expected True/False correctness columns after 'prompt'");
        }

        var arms = modelCols.Select(i => header[i]).ToList();
        var responseCols = arms.Select(a => col.GetValueOrDefault(a + ResponseSuffix, -1)).ToArray();
        var task = Path.GetFileNameWithoutExtension(path);
        var queries = new List<DatasetQuery>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var row = first; row is not null; row = csv.ReadRecord())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Count != header.Count)
            {
                throw new DatasetFormatException(path, csv.RecordLine, 1, $"row has {row.Count} fields, header has {header.Count}");
            }

            var prompt = row[0];
            if (!seen.Add(prompt))
            {
                continue;
            }

            var promptTokens = TokenCounter.Count(prompt);
            var outcomes = new ArmOutcome?[arms.Count];
            for (var a = 0; a < arms.Count; a++)
            {
                var c = modelCols[a];
                var cell = row[c].Trim();
                if (cell.Length == 0)
                {
                    continue;
                }

                var quality = ParseCorrect(cell) ?? throw new DatasetFormatException(path, csv.FieldPositions[c].Line, csv.FieldPositions[c].Column,
                    $"column '{RouterBenchCsvLoader.Truncate(header[c])}': '{RouterBenchCsvLoader.Truncate(cell)}' is not True/False");
                var response = responseCols[a] >= 0 ? row[responseCols[a]] : null;
                outcomes[a] = new ArmOutcome
                {
                    Quality = quality,
                    PromptTokens = promptTokens,
                    CompletionTokens = response is null ? null : TokenCounter.Count(response),
                    Response = response,
                };
            }

            queries.Add(new DatasetQuery
            {
                Id = $"{task}:{queries.Count}",
                Prompt = prompt,
                Task = task,
                Tags = [task],
                PromptTokens = promptTokens,
                Outcomes = outcomes,
            });
        }

        var notes = ignored.Count == 0 ? [] : new[] { $"{Path.GetFileName(path)}: ignored columns that are neither a model's True/False nor its '{ResponseSuffix}': {string.Join(", ", ignored.Select(RouterBenchCsvLoader.Truncate))}" };
        return new RoutingDataset(arms, queries) { Notes = notes };
    }

    /// <summary>pandas writes its index as an unnamed first column (<c>Unnamed: 0</c> when read back and written again); its 0, 1, ... are not correctness.</summary>
    private static bool IsPandasIndex(string name) => name.Length == 0 || name.StartsWith("Unnamed:", StringComparison.Ordinal);

    private static double? ParseCorrect(string cell) => cell.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "1" or "1.0" => 1,
        "FALSE" or "0" or "0.0" => 0,
        _ => null,
    };
}
