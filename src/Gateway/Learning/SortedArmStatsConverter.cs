using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Gateway.Learning;

/// <summary>Writes the per-arm counters as a JSON object in ordinal key order (deterministic snapshot bytes) and reads them back.</summary>
internal sealed class SortedArmStatsConverter : JsonConverter<ImmutableSortedDictionary<string, ArmStats>>
{
    public override ImmutableSortedDictionary<string, ArmStats> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var plain = JsonSerializer.Deserialize<Dictionary<string, ArmStats>>(ref reader, options) ?? [];
        return plain.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    public override void Write(Utf8JsonWriter writer, ImmutableSortedDictionary<string, ArmStats> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, stats) in value)
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, stats, options);
        }

        writer.WriteEndObject();
    }
}
