namespace Router.Training.Data;

/// <summary>
/// Reads RouteLLM's pairwise correctness CSVs (<c>prompt</c> plus one True/False column per model). No cost or
/// response: costs are priced later from the arms file. The task is the file name (e.g. <c>mmlu_anatomy</c>), which
/// also becomes the query's tag (the MMLU subject).
/// </summary>
public static class PairwiseCsvLoader
{
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

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < header.Count; i++)
        {
            if (!names.Add(header[i]))
            {
                throw new DatasetFormatException(path, csv.FieldPositions[i].Line, csv.FieldPositions[i].Column, $"duplicate column name '{RouterBenchCsvLoader.Truncate(header[i])}'");
            }
        }

        var arms = header.Skip(1).ToList();
        var task = Path.GetFileNameWithoutExtension(path);
        var queries = new List<DatasetQuery>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (csv.ReadRecord() is { } row)
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
                var cell = row[a + 1].Trim();
                if (cell.Length == 0)
                {
                    continue;
                }

                double quality = cell.ToUpperInvariant() switch
                {
                    "TRUE" or "1" or "1.0" => 1,
                    "FALSE" or "0" or "0.0" => 0,
                    _ => throw new DatasetFormatException(path, csv.FieldPositions[a + 1].Line, csv.FieldPositions[a + 1].Column,
                        $"'{RouterBenchCsvLoader.Truncate(cell)}' is not True/False"),
                };
                outcomes[a] = new ArmOutcome { Quality = quality, PromptTokens = promptTokens };
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

        return new RoutingDataset(arms, queries);
    }
}
