using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Gateway.Auth;

/// <summary>
/// JSON shape of keys in storage and in the admin API: camelCase like the rest of <c>/admin</c> (arms, policy),
/// names matched case-insensitively on input, unknown fields refused, nulls omitted.
/// </summary>
public static class ApiKeyJson
{
    /// <summary>The shared serializer options (thread-safe once used).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };
}
