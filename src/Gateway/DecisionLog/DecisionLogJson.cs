using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Gateway.DecisionLog;

/// <summary>The wire form of <see cref="DecisionLogRecord"/>: camelCase JSON, one record per line, nulls omitted.</summary>
public static class DecisionLogJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>One line (UTF-8, no newline).</summary>
    public static byte[] Serialize(DecisionLogRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    /// <summary>Parses a line; null for a blank, torn or foreign line (a record cut off by a kill mid-write).</summary>
    public static DecisionLogRecord? TryParse(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<DecisionLogRecord>(line, Options);
            return record is { RequestId.Length: > 0 } ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
