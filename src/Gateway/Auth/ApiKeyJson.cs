using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Gateway.Auth;

/// <summary>JSON shape of keys in storage and in the admin API: snake_case like OpenAI's API, nulls omitted.</summary>
public static class ApiKeyJson
{
    /// <summary>The shared serializer options (thread-safe once used).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
