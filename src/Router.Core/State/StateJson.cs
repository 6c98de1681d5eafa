using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Core.Arms;
using Router.Core.Routing;

namespace Router.Core.State;

/// <summary>The JSON forms the state layer stores (arms, policies, buffered events): web casing, enums as names.</summary>
internal static class StateJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(ArmDefinition arm) => JsonSerializer.Serialize(arm, Options);

    public static string Serialize(RoutingPolicy policy) => JsonSerializer.Serialize(policy, Options);

    public static ArmDefinition ReadArm(string json) =>
        JsonSerializer.Deserialize<ArmDefinition>(json, Options) ?? throw new JsonException("null arm");

    public static RoutingPolicy ReadPolicy(string json) =>
        JsonSerializer.Deserialize<RoutingPolicy>(json, Options) ?? throw new JsonException("null policy");
}
