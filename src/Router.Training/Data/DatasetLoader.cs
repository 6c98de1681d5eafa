namespace Router.Training.Data;

/// <summary>
/// Loads any mix of files and folders in the supported formats and merges them into one data set (arms are the
/// union, in order of first appearance; a query lacks the arms its file does not have). Folders are read
/// recursively in ordinal name order, so the result does not depend on the file system.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Loads and merges <paramref name="paths"/>.</summary>
    public static RoutingDataset Load(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetExtension(f).ToUpperInvariant() is ".CSV" or ".JSON" or ".JSONL")
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new DatasetFormatException($"{p}: no such file or folder");
            }
        }

        if (files.Count == 0)
        {
            throw new DatasetFormatException("no data files (.csv, .json, .jsonl) found in: " + string.Join(", ", paths));
        }

        var merged = Merge(files.Select(f => LoadFile(f, cancellationToken)).ToList());
        if (merged.Queries.Count == 0)
        {
            throw new DatasetFormatException("no queries (the data files hold no rows) in: " + string.Join(", ", paths));
        }

        return merged;
    }

    /// <summary>Loads one file, choosing the reader by extension and, for CSV, by header.</summary>
    public static RoutingDataset LoadFile(string path, CancellationToken cancellationToken = default)
    {
        var ext = Path.GetExtension(path).ToUpperInvariant();
        switch (ext)
        {
            case ".JSONL":
                return LongJsonlLoader.Load(path, cancellationToken);
            case ".JSON":
                return ScoreJsonLoader.Load(path, cancellationToken);
            case ".CSV":
                List<string>? header;
                using (var csv = CsvReader.Open(path))
                {
                    header = csv.ReadRecord();
                }

                if (header is null)
                {
                    throw new DatasetFormatException(path, 1, 1, "the file is empty");
                }

                if (RouterBenchCsvLoader.LooksLike(header))
                {
                    return RouterBenchCsvLoader.Load(path, cancellationToken);
                }

                if (PairwiseCsvLoader.LooksLike(header))
                {
                    return PairwiseCsvLoader.Load(path, cancellationToken);
                }

                throw new DatasetFormatException(path, 1, 1, "unknown CSV layout: expected a RouterBench frame (sample_id, prompt, eval_name, M, M|total_cost, ...) or a pairwise CSV (prompt, model columns)");
            default:
                throw new DatasetFormatException($"{path}: unsupported file type '{ext}' (expected .csv, .json or .jsonl)");
        }
    }

    /// <summary>Merges data sets: arms are the union, queries are concatenated.</summary>
    public static RoutingDataset Merge(IReadOnlyList<RoutingDataset> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var arms = new List<string>();
        foreach (var arm in parts.SelectMany(p => p.Arms).Where(a => !arms.Contains(a)))
        {
            arms.Add(arm);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var queries = new List<DatasetQuery>();
        foreach (var part in parts)
        {
            var map = part.Arms.Select(a => arms.IndexOf(a)).ToArray();
            foreach (var q in part.Queries)
            {
                var outcomes = new ArmOutcome?[arms.Count];
                for (var a = 0; a < map.Length; a++)
                {
                    outcomes[map[a]] = q.Outcomes[a];
                }

                var id = q.Id;
                for (var n = 2; !ids.Add(id); n++)
                {
                    id = $"{q.Id}#{n}";
                }

                queries.Add(new DatasetQuery { Id = id, Prompt = q.Prompt, Task = q.Task, Tags = q.Tags, PromptTokens = q.PromptTokens, Outcomes = outcomes });
            }
        }

        return new RoutingDataset(arms, queries) { Notes = parts.SelectMany(p => p.Notes).ToList() };
    }
}
