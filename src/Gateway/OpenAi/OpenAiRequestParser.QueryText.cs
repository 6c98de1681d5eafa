using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Router.Gateway.OpenAi;

// The text extraction of OpenAiRequestParser (DESIGN.md step 2): validates messages / prompt / input per operation
// and takes from them the query text the router encodes and the prompt text whose tokens are priced.
// Parsing and routing knobs: OpenAiRequestParser.cs; field type checks: OpenAiRequestParser.FieldChecks.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public static partial class OpenAiRequestParser
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool", "function" };

    private static (string? Query, string? Prompt, OpenAiError? Error) ChatText(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("messages", out var node) || node is null)
        {
            return (null, null, OpenAiError.InvalidRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter"));
        }

        if (node is not JsonArray messages)
        {
            return (null, null, OpenAiError.InvalidRequest("'messages' must be an array.", "messages"));
        }

        if (messages.Count == 0)
        {
            return (null, null, OpenAiError.InvalidRequest("'messages' must contain at least one message.", "messages"));
        }

        var system = new StringBuilder();
        var all = new StringBuilder();
        string? lastUser = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            if (messages[i] is not JsonObject message)
            {
                return (null, null, OpenAiError.InvalidRequest($"'{param}' must be an object.", param));
            }

            if (!TryGetString(message, "role", required: true, out var role, out var roleError, param))
            {
                return (null, null, roleError);
            }

            if (!Roles.Contains(role!))
            {
                return (null, null, OpenAiError.InvalidRequest($"'{param}.role' must be one of system, developer, user, assistant, tool, function; got '{Truncate(role!)}'.", $"{param}.role"));
            }

            var (text, contentError) = ContentText(message, param);
            if (contentError is not null)
            {
                return (null, null, contentError);
            }

            all.Append(text).Append('\n');
            if (role is "system" or "developer")
            {
                system.Append(text).Append('\n');
            }
            else if (role == "user")
            {
                lastUser = text;
            }
        }

        // DESIGN.md step 2: the last user turn, with the system text as context before it (so that tail truncation
        // by the encoder keeps the question).
        var query = system.Length == 0 ? lastUser ?? all.ToString().TrimEnd() : $"{system}\n{lastUser}".Trim();
        return (query, all.ToString(), null);
    }

    private static (string? Text, OpenAiError? Error) ContentText(JsonObject message, string param)
    {
        if (!message.TryGetPropertyValue("content", out var content) || content is null)
        {
            return ("", null);
        }

        switch (content.GetValueKind())
        {
            case JsonValueKind.String:
                return (content.GetValue<string>(), null);
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                var parts = content.AsArray();
                for (var j = 0; j < parts.Count; j++)
                {
                    var partParam = $"{param}.content[{j}]";
                    if (parts[j] is not JsonObject part || !part.TryGetPropertyValue("type", out var type) || type?.GetValueKind() != JsonValueKind.String)
                    {
                        return (null, OpenAiError.InvalidRequest($"'{partParam}' must be an object with a string 'type'.", partParam));
                    }

                    if (type.GetValue<string>() == "text")
                    {
                        if (!part.TryGetPropertyValue("text", out var t) || t?.GetValueKind() != JsonValueKind.String)
                        {
                            return (null, OpenAiError.InvalidRequest($"'{partParam}.text' must be a string.", $"{partParam}.text"));
                        }

                        sb.Append(t.GetValue<string>()).Append('\n');
                    }
                }

                return (sb.ToString().TrimEnd('\n'), null);
            default:
                return (null, OpenAiError.InvalidRequest($"'{param}.content' must be a string or an array of content parts.", $"{param}.content"));
        }
    }

    private static (string? Query, string? Prompt, OpenAiError? Error) CompletionText(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("prompt", out var node) || node is null)
        {
            return (null, null, OpenAiError.InvalidRequest("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"));
        }

        var texts = StringOrStringArray(node);
        if (texts is null)
        {
            return (null, null, OpenAiError.InvalidRequest("'prompt' must be a string or an array of strings.", "prompt"));
        }

        return (texts.Count == 0 ? "" : texts[^1], string.Join('\n', texts), null);
    }

    private static (string? Query, string? Prompt, OpenAiError? Error) EmbeddingText(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("input", out var node) || node is null)
        {
            return (null, null, OpenAiError.InvalidRequest("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
        }

        var texts = node is JsonArray arr && arr.All(n => n?.GetValueKind() == JsonValueKind.Number || n is JsonArray)
            ? [] // token-id inputs: nothing to read
            : StringOrStringArray(node);
        if (texts is null || (node is JsonArray a && a.Count == 0) || (node.GetValueKind() == JsonValueKind.String && texts[0].Length == 0))
        {
            return (null, null, OpenAiError.InvalidRequest("'input' must be a non-empty string or a non-empty array of strings or token ids.", "input"));
        }

        if (obj.TryGetPropertyValue("encoding_format", out var fmt) && fmt is not null &&
            (fmt.GetValueKind() != JsonValueKind.String || fmt.GetValue<string>() is not ("float" or "base64")))
        {
            return (null, null, OpenAiError.InvalidRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format"));
        }

        var dimError = CheckInteger(obj, "dimensions", 1, 65536);
        return dimError is not null ? (null, null, dimError) : (texts.Count == 0 ? "" : texts[0], string.Join('\n', texts), null);
    }

    private static List<string>? StringOrStringArray(JsonNode node)
    {
        if (node.GetValueKind() == JsonValueKind.String)
        {
            return [node.GetValue<string>()];
        }

        if (node is not JsonArray arr)
        {
            return null;
        }

        var list = new List<string>(arr.Count);
        foreach (var item in arr)
        {
            if (item?.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }

            list.Add(item.GetValue<string>());
        }

        return list;
    }
}
