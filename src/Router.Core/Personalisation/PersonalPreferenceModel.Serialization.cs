using System.Security.Cryptography;
using System.Text.Json;

namespace Router.Core.Personalisation;

// Snapshot form of PersonalPreferenceModel: {"format":"personal-preferences","version":1,"clock":…,"observations":…,
// "kappa":…,"arms":[…],"armFactors":[[…]],"users":[{"id","last","count","n","sum","sumSq","factor","sumFeatures","gram",
// "gramRhs","theta"}]}, users by
// ordinal id, arms in first-seen order (the order sums run in), doubles in the round-trip form System.Text.Json
// writes. The options are not in it: they come from configuration, the same on every replica.
public sealed partial class PersonalPreferenceModel
{
    private const string FormatName = "personal-preferences";

    /// <summary>The state as UTF-8 JSON (deterministic: equal states give equal bytes).</summary>
    public byte[] Serialize()
    {
        lock (_lock)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("format", FormatName);
                writer.WriteNumber("version", 1);
                writer.WriteNumber("clock", _clock);
                writer.WriteNumber("observations", _observations);
                writer.WriteNumber("kappa", _kappa);
                writer.WriteStartArray("arms");
                foreach (var arm in _arms)
                {
                    writer.WriteStringValue(arm);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("armFactors");
                foreach (var factor in _armFactors)
                {
                    WriteArray(writer, null, factor);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("users");
                foreach (var (id, cells) in _users.OrderBy(u => u.Key, StringComparer.Ordinal))
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", id);
                    writer.WriteNumber("last", cells.LastUsed);
                    writer.WriteNumber("count", cells.Count);
                    writer.WriteStartArray("n");
                    foreach (var n in cells.N)
                    {
                        writer.WriteNumberValue(n);
                    }

                    writer.WriteEndArray();
                    WriteArray(writer, "sum", cells.Sum);
                    WriteArray(writer, "sumSq", cells.SumSq);
                    WriteArray(writer, "factor", cells.Factor);
                    WriteArray(writer, "sumFeatures", cells.SumFeatures);
                    WriteArray(writer, "gram", cells.Gram);
                    WriteArray(writer, "gramRhs", cells.GramRhs);
                    WriteArray(writer, "theta", cells.Theta);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }
    }

    /// <summary>SHA-256 (hex) of <see cref="Serialize"/>: equal on replicas that folded the same ratings.</summary>
    public string StateHash() => Convert.ToHexStringLower(SHA256.HashData(Serialize()));

    /// <summary>Restores a model written by <see cref="Serialize"/>.</summary>
    /// <exception cref="JsonException">Not a personal-preferences document, or one that does not fit the options (rank).</exception>
    public static PersonalPreferenceModel Deserialize(ReadOnlySpan<byte> utf8Json, PersonalisationOptions? options = null)
    {
        var model = new PersonalPreferenceModel(options);
        var reader = new Utf8JsonReader(utf8Json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != FormatName)
        {
            throw new JsonException("Not a personal-preferences document.");
        }

        var rank = model.Options.Rank;
        model._clock = root.GetProperty("clock").GetInt64();
        model._observations = root.GetProperty("observations").GetInt64();
        model._kappa = model.Options.Kappa > 0 ? model.Options.Kappa : root.GetProperty("kappa").GetDouble();
        var arms = root.GetProperty("arms").EnumerateArray().Select(a => a.GetString() ?? throw new JsonException("Null arm.")).ToList();
        var factors = root.GetProperty("armFactors").EnumerateArray().Select(ReadArray).ToList();
        if (factors.Count != arms.Count || factors.Any(f => f.Length != rank))
        {
            throw new JsonException($"Arm factors do not match {arms.Count} arms of rank {rank}.");
        }

        for (var a = 0; a < arms.Count; a++)
        {
            model._arms.Add(arms[a]);
            model._armIndex.Add(arms[a], a);
            model._armFactors.Add(factors[a]);
        }

        foreach (var user in root.GetProperty("users").EnumerateArray())
        {
            var id = user.GetProperty("id").GetString() ?? throw new JsonException("Null user id.");
            var cells = new UserCells(rank)
            {
                LastUsed = user.GetProperty("last").GetInt64(),
                Count = user.GetProperty("count").GetInt64(),
                N = [.. user.GetProperty("n").EnumerateArray().Select(n => n.GetInt32())],
                Sum = ReadArray(user.GetProperty("sum")),
                SumSq = ReadArray(user.GetProperty("sumSq")),
                Factor = ReadArray(user.GetProperty("factor")),
                SumFeatures = ReadArray(user.GetProperty("sumFeatures")),
                Gram = ReadArray(user.GetProperty("gram")),
                GramRhs = ReadArray(user.GetProperty("gramRhs")),
                Theta = ReadArray(user.GetProperty("theta")),
            };
            const int p = PersonalFeatures.Count + 1;
            if (cells.Factor.Length != rank || cells.Sum.Length != cells.N.Length || cells.SumSq.Length != cells.N.Length || cells.N.Length > arms.Count
                || cells.SumFeatures.Length != cells.N.Length * PersonalFeatures.Count || cells.Gram.Length != p * p || cells.GramRhs.Length != p || cells.Theta.Length != p)
            {
                throw new JsonException($"User {id} does not fit the model.");
            }

            model._users.Add(id, cells);
            model._byRecency.Add(cells.LastUsed, id);
        }

        return model;
    }

    private static void WriteArray(Utf8JsonWriter writer, string? name, double[] values)
    {
        if (name is null)
        {
            writer.WriteStartArray();
        }
        else
        {
            writer.WriteStartArray(name);
        }

        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static double[] ReadArray(JsonElement element) => [.. element.EnumerateArray().Select(e => e.GetDouble())];
}
