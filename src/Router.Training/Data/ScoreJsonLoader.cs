using System.Text.Json;

namespace Router.Training.Data;

/// <summary>
/// Reads RouterDC's score JSON: <c>[{"question": ..., "scores": {model: score}}]</c>. No cost or response: costs are
/// priced later from the arms file. The task is the file name without its <c>_train</c>/<c>-test</c> suffix.
/// </summary>
public static class ScoreJsonLoader
{
    /// <summary>Loads one score JSON file.</summary>
    public static RoutingDataset Load(string path, CancellationToken cancellationToken = default)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException(path, (e.LineNumber ?? -1) + 1, (e.BytePositionInLine ?? -1) + 1, $"invalid JSON: {FirstSentence(e.Message)}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new DatasetFormatException(path, 1, 1, "expected a JSON array of {\"question\", \"scores\"} objects");
            }

            var task = TaskName(path);
            var arms = new List<string>();
            var armIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var rows = new List<(string Question, Dictionary<int, double> Scores)>();
            var n = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                cancellationToken.ThrowIfCancellationRequested();
                n++;
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("question", out var q) || q.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("scores", out var s) || s.ValueKind != JsonValueKind.Object)
                {
                    throw new DatasetFormatException($"{path}: element {n} needs a string \"question\" and an object \"scores\"");
                }

                var scores = new Dictionary<int, double>();
                foreach (var p in s.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }

                    if (p.Value.ValueKind != JsonValueKind.Number || p.Value.GetDouble() is < 0 or > 1)
                    {
                        throw new DatasetFormatException($"{path}: element {n}: score of '{p.Name}' must be a number in [0, 1]");
                    }

                    if (!armIndex.TryGetValue(p.Name, out var a))
                    {
                        a = arms.Count;
                        armIndex[p.Name] = a;
                        arms.Add(p.Name);
                    }

                    scores[a] = p.Value.GetDouble();
                }

                rows.Add((q.GetString()!, scores));
            }

            var queries = new List<DatasetQuery>(rows.Count);
            foreach (var (question, scores) in rows)
            {
                var tokens = TokenCounter.Count(question);
                var outcomes = new ArmOutcome?[arms.Count];
                foreach (var (a, score) in scores)
                {
                    outcomes[a] = new ArmOutcome { Quality = score, PromptTokens = tokens };
                }

                queries.Add(new DatasetQuery
                {
                    Id = $"{task}:{queries.Count}",
                    Prompt = question,
                    Task = task,
                    Tags = [task],
                    PromptTokens = tokens,
                    Outcomes = outcomes,
                });
            }

            return new RoutingDataset(arms, queries);
        }
    }

    internal static string TaskName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        foreach (var suffix in new[] { "_train", "-train", "_test", "-test", "_val", "-val" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }
}
