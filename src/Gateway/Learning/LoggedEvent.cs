using System.Text.Json;
using Router.Core.Learning;
using Router.Gateway.Budget;

namespace Router.Gateway.Learning;

/// <summary>
/// The payload of a gateway log entry: the engine's <see cref="LearningEvent"/> (its own stable wire form, under
/// <c>event</c>) plus the facts the gateway counts for <c>/admin/stats</c> (the request's cost at the arm's prices when it
/// was served). Keeping the counters' inputs in the entry keeps the fold a pure function of the log.
/// </summary>
/// <param name="Event">The engine event.</param>
/// <param name="CostUsd">Spend of a usage event; 0 otherwise.</param>
/// <param name="Budget">For a routed request under a budget autopilot target: its controller and target.</param>
public sealed record LoggedEvent(LearningEvent Event, double CostUsd = 0, BudgetTag? Budget = null)
{
    private static readonly JsonSerializerOptions BudgetJson = new(JsonSerializerDefaults.Web);

    /// <summary>UTF-8 JSON: <c>{"v":1,"costUsd":…,"budget":{…}?,"event":{…}}</c>.</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteNumber("costUsd", CostUsd);
            if (Budget is not null)
            {
                writer.WritePropertyName("budget");
                JsonSerializer.Serialize(writer, Budget, BudgetJson);
            }

            writer.WritePropertyName("event");
            writer.WriteRawValue(LearningEventSerializer.Serialize(Event), skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Parses a payload; a bare engine event (no envelope) is accepted too.</summary>
    /// <exception cref="JsonException">Not an event.</exception>
    public static LoggedEvent Deserialize(ReadOnlyMemory<byte> payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out var inner))
        {
            var cost = root.TryGetProperty("costUsd", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0;
            var budget = root.TryGetProperty("budget", out var b) && b.ValueKind == JsonValueKind.Object ? b.Deserialize<BudgetTag>(BudgetJson) : null;
            return new LoggedEvent(LearningEventSerializer.Deserialize(System.Text.Encoding.UTF8.GetBytes(inner.GetRawText())), cost, budget);
        }

        return new LoggedEvent(LearningEventSerializer.Deserialize(payload.Span));
    }
}
