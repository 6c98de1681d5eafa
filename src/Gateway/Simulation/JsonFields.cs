using System.Text.Json.Nodes;

namespace Router.Gateway.Simulation;

/// <summary>
/// Member access that tolerates the wrong JSON shape: <c>node["x"]</c> throws on an array or a value, which a request
/// can send anywhere (<c>"tools":[1]</c>); here it is null, and the simulated arm answers as if the field were absent.
/// </summary>
internal static class JsonFields
{
    public static JsonNode? Field(this JsonNode? node, string name) => (node as JsonObject)?[name];
}
