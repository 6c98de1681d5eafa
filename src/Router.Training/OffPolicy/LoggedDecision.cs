using System.Text.Json;

namespace Router.Training.OffPolicy;

/// <summary>One decision of the gateway's decision log export (<c>GET /admin/decisions/export</c>), as <c>router ope</c> reads it.</summary>
internal sealed record LoggedDecision(
    string ChosenArm, double Propensity, int PromptTokens, IReadOnlyList<LoggedCandidate> Candidates, double? CostUsd, double? Reward, float[]? Embedding)
{
    /// <summary>Reads a JSONL export; lines that are not decisions with candidates are skipped (counted in <paramref name="skipped"/>).</summary>
    public static List<LoggedDecision> ReadAll(string path, out int skipped)
    {
        var result = new List<LoggedDecision>();
        skipped = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                if (r.TryGetProperty("type", out var type) && type.GetString() != "decision" || !r.TryGetProperty("candidates", out var cands)
                    || !r.TryGetProperty("chosenArm", out var chosen))
                {
                    skipped++;
                    continue;
                }

                var candidates = cands.EnumerateArray().Select(c => new LoggedCandidate(
                    c.GetProperty("arm").GetString()!, c.GetProperty("predictedQuality").GetDouble(), c.GetProperty("predictedCostUsd").GetDouble(),
                    Number(c, "uncertaintyBonus"), Number(c, "latencyPenalty"), c.TryGetProperty("excludedReason", out var ex) && ex.ValueKind == JsonValueKind.String)).ToList();
                var propensity = r.TryGetProperty("propensity", out var p) ? p.GetDouble() : 1;
                double? cost = r.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object && o.GetProperty("status").GetInt32() is >= 200 and < 300
                    ? o.GetProperty("costUsd").GetDouble() : null;
                double? reward = r.TryGetProperty("feedback", out var f) && f.ValueKind == JsonValueKind.Object ? f.GetProperty("score").GetDouble() : null;
                var embedding = r.TryGetProperty("embedding", out var e) && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetSingle()).ToArray() : null;
                var tokens = r.TryGetProperty("promptTokens", out var t) ? t.GetInt32() : 0;
                if (candidates.Count == 0 || !(propensity > 0 && propensity <= 1))
                {
                    skipped++;
                    continue;
                }

                result.Add(new LoggedDecision(chosen.GetString()!, propensity, tokens, candidates, cost, reward, embedding));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                skipped++;
            }
        }

        return result;
    }

    private static double Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}

/// <summary>A logged candidate arm.</summary>
internal sealed record LoggedCandidate(string Arm, double PredictedQuality, double PredictedCostUsd, double Bonus, double Penalty, bool Excluded);
