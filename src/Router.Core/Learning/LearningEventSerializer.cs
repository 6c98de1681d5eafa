using System.Text.Json;

namespace Router.Core.Learning;

/// <summary>
/// The stable wire form of <see cref="LearningEvent"/>s (UTF-8 JSON, <c>"type"</c> first), for logs that carry them as
/// opaque payloads (the Redis stream). Floats round-trip exactly.
/// </summary>
public static class LearningEventSerializer
{
    /// <summary>UTF-8 JSON of <paramref name="learningEvent"/>.</summary>
    public static byte[] Serialize(LearningEvent learningEvent) =>
        JsonSerializer.SerializeToUtf8Bytes(learningEvent, LearningJsonContext.Default.LearningEvent);

    /// <summary>Parses an event.</summary>
    /// <exception cref="JsonException">Not a known event.</exception>
    public static LearningEvent Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, LearningJsonContext.Default.LearningEvent)
        ?? throw new JsonException("Empty learning event.");
}
