using System.Text.Json;

namespace Router.Training.Data;

/// <summary>
/// Reads the project's own long JSONL format: one line per (query, arm),
/// <c>{"query_id"?, "prompt", "arm", "quality", "prompt_tokens"?, "completion_tokens"?, "cost"?, "latency"?, "task"?,
/// "tags"?, "response"?}</c>. Lines of one query are grouped by <c>query_id</c> (or by prompt when absent). Missing
/// token counts are counted with the tokenizer from <c>prompt</c> and <c>response</c>.
/// </summary>
public static class LongJsonlLoader
{
    /// <summary>Loads one JSONL file.</summary>
    public static RoutingDataset Load(string path, CancellationToken cancellationToken = default)
    {
        var arms = new List<string>();
        var armIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var byQuery = new Dictionary<string, (string Prompt, string Task, List<string> Tags, Dictionary<int, ArmOutcome> Outcomes)>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException(path, lineNo, (e.BytePositionInLine ?? 0) + 1, "invalid JSON");
            }

            using (doc)
            {
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object)
                {
                    throw new DatasetFormatException(path, lineNo, 1, "each line must be a JSON object");
                }

                var prompt = RequiredString(o, "prompt", path, lineNo);
                var arm = RequiredString(o, "arm", path, lineNo);
                var quality = RequiredNumber(o, "quality", path, lineNo);
                if (quality is < 0 or > 1)
                {
                    throw new DatasetFormatException(path, lineNo, 1, "\"quality\" must be in [0, 1]");
                }

                var response = OptionalString(o, "response", path, lineNo);
                var queryId = OptionalString(o, "query_id", path, lineNo) ?? prompt;
                var task = OptionalString(o, "task", path, lineNo) ?? Path.GetFileNameWithoutExtension(path);
                var tags = new List<string>();
                if (o.TryGetProperty("tags", out var t) && t.ValueKind != JsonValueKind.Null)
                {
                    if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                    {
                        throw new DatasetFormatException(path, lineNo, 1, "\"tags\" must be an array of strings");
                    }

                    tags.AddRange(t.EnumerateArray().Select(x => x.GetString()!));
                }

                var promptTokens = OptionalCount(o, "prompt_tokens", path, lineNo) ?? TokenCounter.Count(prompt);
                var completionTokens = OptionalCount(o, "completion_tokens", path, lineNo)
                    ?? (response is null ? null : TokenCounter.Count(response));
                var outcome = new ArmOutcome
                {
                    Quality = quality,
                    CostUsd = OptionalNumber(o, "cost", path, lineNo),
                    PromptTokens = promptTokens,
                    CompletionTokens = completionTokens,
                    LatencySeconds = OptionalNumber(o, "latency", path, lineNo),
                    Response = response,
                };

                if (!armIndex.TryGetValue(arm, out var a))
                {
                    a = arms.Count;
                    armIndex[arm] = a;
                    arms.Add(arm);
                }

                if (!byQuery.TryGetValue(queryId, out var entry))
                {
                    entry = (prompt, task, tags, new Dictionary<int, ArmOutcome>());
                    byQuery[queryId] = entry;
                    order.Add(queryId);
                }

                entry.Outcomes[a] = outcome;
                foreach (var tag in tags.Where(tag => !entry.Tags.Contains(tag)))
                {
                    entry.Tags.Add(tag);
                }
            }
        }

        var queries = order.Select(id =>
        {
            var e = byQuery[id];
            var outcomes = new ArmOutcome?[arms.Count];
            foreach (var (a, o) in e.Outcomes)
            {
                outcomes[a] = o;
            }

            return new DatasetQuery
            {
                Id = id,
                Prompt = e.Prompt,
                Task = e.Task,
                Tags = e.Tags.Count > 0 ? e.Tags : [e.Task],
                PromptTokens = e.Outcomes.Values.First().PromptTokens,
                Outcomes = outcomes,
            };
        }).ToList();
        return new RoutingDataset(arms, queries);
    }

    private static string RequiredString(JsonElement o, string name, string path, int line) =>
        OptionalString(o, name, path, line) ?? throw new DatasetFormatException(path, line, 1, $"missing string \"{name}\"");

    private static double RequiredNumber(JsonElement o, string name, string path, int line) =>
        OptionalNumber(o, name, path, line) ?? throw new DatasetFormatException(path, line, 1, $"missing number \"{name}\"");

    private static string? OptionalString(JsonElement o, string name, string path, int line)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new DatasetFormatException(path, line, 1, $"\"{name}\" must be a string");
    }

    private static double? OptionalNumber(JsonElement o, string name, string path, int line)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !double.IsFinite(v.GetDouble()) || v.GetDouble() < 0)
        {
            throw new DatasetFormatException(path, line, 1, $"\"{name}\" must be a finite non-negative number");
        }

        return v.GetDouble();
    }

    // Token counts: whole numbers that fit an int (a cast would silently truncate 3.5 or saturate 1e20).
    private static int? OptionalCount(JsonElement o, string name, string path, int line)
    {
        if (OptionalNumber(o, name, path, line) is not { } value)
        {
            return null;
        }

        return value <= int.MaxValue && value == Math.Floor(value)
            ? (int)value
            : throw new DatasetFormatException(path, line, 1, $"\"{name}\" must be a whole number of tokens");
    }
}
