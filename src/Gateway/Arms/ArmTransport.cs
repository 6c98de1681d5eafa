using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Gateway.Configuration;

namespace Router.Gateway.Arms;

/// <summary>
/// The gateway-only arm settings (<see cref="ArmOptions.ApiVersion"/>, <see cref="ArmOptions.Simulation"/>) in the
/// form they ride in <see cref="Router.Core.Arms.ArmDefinition.Transport"/>, so the shared arm registry stores and
/// replicates them with the arm: <c>{"apiVersion":"2024-06-01","simulation":{"reply":"…",…}}</c> (camelCase;
/// unknown members are ignored so a newer gateway's fields do not break an older one).
/// </summary>
internal sealed record ArmTransport
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
    };

    /// <summary>Azure OpenAI <c>api-version</c>; null: the gateway default.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Simulated-arm behaviour; null: the defaults.</summary>
    public SimulationOptions? Simulation { get; init; }

    /// <summary>The detached JSON element for <see cref="Router.Core.Arms.ArmDefinition.Transport"/>.</summary>
    public static JsonElement ToJson(string? apiVersion, SimulationOptions simulation) =>
        JsonSerializer.SerializeToElement(new ArmTransport { ApiVersion = apiVersion, Simulation = simulation }, JsonOptions);

    /// <summary>
    /// Reads <paramref name="json"/>; false when it is absent (an entry written before transport settings were
    /// stored) or not of this shape (only a hand-edited registry).
    /// </summary>
    public static bool TryRead(JsonElement? json, out ArmTransport transport)
    {
        transport = new ArmTransport();
        if (json is not { ValueKind: JsonValueKind.Object } element)
        {
            return false;
        }

        try
        {
            transport = element.Deserialize<ArmTransport>(JsonOptions) ?? transport;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
