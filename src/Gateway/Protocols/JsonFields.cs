using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Router.Gateway.Protocols;

/// <summary>Small readers of JSON fields shared by the protocol translators.</summary>
internal static class JsonFields
{
    /// <summary>The string at <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The integer at <paramref name="name"/>, or null (parsed nodes hold a JsonElement, built ones a CLR value).</summary>
    public static long? Int(JsonNode? node, string name)
    {
        if (node is not JsonObject obj || obj[name] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        return v.TryGetValue<long>(out var l) ? l
            : v.TryGetValue<int>(out var i) ? i
            : v.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out var m) ? m
            : null;
    }

    /// <summary>The text of an OpenAI message <c>content</c>: a string, or the <c>text</c> parts of an array joined by LF.</summary>
    public static string ContentText(JsonNode? content)
    {
        if (content is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }

        if (content is not JsonArray parts)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (Str(part, "text") is { } t)
            {
                text.Append(text.Length > 0 ? "\n" : "").Append(t);
            }
        }

        return text.ToString();
    }

    /// <summary>Parses a tool call's <c>arguments</c> string into an object (Anthropic's <c>input</c>); <c>{}</c> when not an object.</summary>
    public static JsonObject ArgumentsObject(string? arguments)
    {
        try
        {
            return arguments is { Length: > 0 } && JsonNode.Parse(arguments) is JsonObject obj ? obj : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Serialises <paramref name="node"/> to UTF-8.</summary>
    public static byte[] Bytes(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
