using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.OpenAi;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Responses API items (platform.openai.com/docs/api-reference/responses, "input" and "output"): the client's
/// <c>input</c> (a string or items) validated into one normalised form (every item typed, with an id; message content
/// as parts), and normalised items turned into OpenAI chat messages. The normalised form is what is stored, listed by
/// <c>input_items</c> and prepended for <c>previous_response_id</c>, so one mapping serves new and earlier turns.
/// Supported items: <c>message</c> (roles user, assistant, system, developer; parts input_text, output_text,
/// input_image, refusal), <c>function_call</c> and <c>function_call_output</c>; <c>reasoning</c> items are accepted
/// and not sent upstream (chat has no place for them).
/// </summary>
internal static class ResponsesItems
{
    private const string SupportedTypes = "message, function_call, function_call_output";

    /// <summary>The normalised items of <paramref name="input"/>; new ids are <c>{prefix}_{hex}{n}</c>.</summary>
    public static (JsonArray? Items, OpenAiError? Error) Normalize(JsonNode? input, string hex)
    {
        if (input is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return ([Message(NewId("msg", hex, 0), "user", [Part("input_text", v.GetValue<string>())])], null);
        }

        if (input is not JsonArray items)
        {
            return (null, OpenAiError.InvalidRequest(input is null
                ? "Missing required parameter: 'input'."
                : "Invalid type for 'input': expected a string or an array of input items.", "input", input is null ? "missing_required_parameter" : "invalid_type"));
        }

        if (items.Count == 0)
        {
            return (null, OpenAiError.InvalidRequest("Invalid 'input': empty array. Expected a string or at least one item.", "input", "empty_array"));
        }

        var normalized = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            var (item, error) = NormalizeItem(items[i], $"input[{i}]", hex, i);
            if (error is not null)
            {
                return (null, error);
            }

            if (item is not null)
            {
                normalized.Add(item);
            }
        }

        return (normalized, null);
    }

    /// <summary>Appends the chat messages of normalised <paramref name="items"/> to <paramref name="messages"/>.</summary>
    public static void AppendMessages(IEnumerable<JsonNode?> items, JsonArray messages)
    {
        foreach (var item in items)
        {
            switch (Str(item, "type"))
            {
                case "message":
                    messages.Add(ChatMessage(item!.AsObject()));
                    break;
                case "function_call":
                    var call = new JsonObject
                    {
                        ["id"] = Str(item, "call_id"),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = Str(item, "name"), ["arguments"] = Str(item, "arguments") ?? "{}" },
                    };
                    // Consecutive calls (and calls right after the assistant's text) are one assistant turn in chat.
                    if (messages.Count > 0 && messages[^1] is JsonObject last && Str(last, "role") == "assistant")
                    {
                        (last["tool_calls"] ??= new JsonArray()).AsArray().Add(call);
                    }
                    else
                    {
                        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) });
                    }

                    break;
                case "function_call_output":
                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = Str(item, "call_id"), ["content"] = Str(item, "output") ?? "" });
                    break;
            }
        }
    }

    /// <summary>A normalised message item.</summary>
    public static JsonObject Message(string id, string role, JsonArray content) => new()
    {
        ["type"] = "message", ["id"] = id, ["status"] = "completed", ["role"] = role, ["content"] = content,
    };

    /// <summary>A text content part of <paramref name="type"/> (<c>output_text</c> parts carry empty annotations, as OpenAI's do).</summary>
    public static JsonObject Part(string type, string text) => type == "output_text"
        ? new JsonObject { ["type"] = type, ["text"] = text, ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray() }
        : new JsonObject { ["type"] = type, ["text"] = text };

    /// <summary>An item id: <c>{prefix}_{hex}</c> and a per-response counter in hex.</summary>
    public static string NewId(string prefix, string hex, int n) => $"{prefix}_{hex}{n.ToString("x2", CultureInfo.InvariantCulture)}";

    private static (JsonObject? Item, OpenAiError? Error) NormalizeItem(JsonNode? node, string param, string hex, int index)
    {
        if (node is not JsonObject item)
        {
            return (null, OpenAiError.InvalidRequest($"Invalid type for '{param}': expected an object.", param, "invalid_type"));
        }

        var type = item["type"] is null ? "message" : Str(item, "type");
        var id = Str(item, "id");
        switch (type)
        {
            case "message":
                return NormalizeMessage(item, param, id ?? NewId("msg", hex, index));
            case "function_call":
                if (Str(item, "call_id") is not { Length: > 0 } callId || Str(item, "name") is not { Length: > 0 } name)
                {
                    return (null, OpenAiError.InvalidRequest($"Missing required parameter: '{param}.call_id' and '{param}.name' (strings).", $"{param}.call_id", "missing_required_parameter"));
                }

                if (item["arguments"] is not null && Str(item, "arguments") is null)
                {
                    return (null, OpenAiError.InvalidRequest($"Invalid type for '{param}.arguments': expected a string.", $"{param}.arguments", "invalid_type"));
                }

                return (new JsonObject
                {
                    ["type"] = "function_call", ["id"] = id ?? NewId("fc", hex, index), ["call_id"] = callId, ["name"] = name,
                    ["arguments"] = Str(item, "arguments") ?? "{}", ["status"] = "completed",
                }, null);
            case "function_call_output":
                if (Str(item, "call_id") is not { Length: > 0 } outputCallId)
                {
                    return (null, OpenAiError.InvalidRequest($"Missing required parameter: '{param}.call_id'.", $"{param}.call_id", "missing_required_parameter"));
                }

                var (output, outputError) = OutputText(item["output"], $"{param}.output");
                return outputError is not null
                    ? (null, outputError)
                    : (new JsonObject
                    {
                        ["type"] = "function_call_output", ["id"] = id ?? NewId("fco", hex, index), ["call_id"] = outputCallId,
                        ["output"] = output, ["status"] = "completed",
                    }, null);
            case "reasoning":
                return (null, null);
            default:
                return (null, OpenAiError.InvalidRequest(
                    $"Invalid value: '{OpenAiError.Quote(type ?? "(not a string)")}'. Supported values for '{param}.type' are: {SupportedTypes}.", $"{param}.type", "invalid_value"));
        }
    }

    private static (JsonObject? Item, OpenAiError? Error) NormalizeMessage(JsonObject item, string param, string id)
    {
        var role = Str(item, "role");
        if (role is not ("user" or "assistant" or "system" or "developer"))
        {
            return (null, OpenAiError.InvalidRequest(
                $"Invalid value: '{OpenAiError.Quote(role ?? "(missing)")}'. Supported values for '{param}.role' are: 'user', 'assistant', 'system' and 'developer'.",
                $"{param}.role", "invalid_value"));
        }

        var textType = role == "assistant" ? "output_text" : "input_text";
        if (item["content"] is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            return (Message(id, role, [Part(textType, text.GetValue<string>())]), null);
        }

        if (item["content"] is not JsonArray parts)
        {
            return (null, OpenAiError.InvalidRequest($"Invalid type for '{param}.content': expected a string or an array of content parts.", $"{param}.content", "invalid_type"));
        }

        var content = new JsonArray();
        for (var i = 0; i < parts.Count; i++)
        {
            var partParam = $"{param}.content[{i}]";
            var part = parts[i];
            switch (Str(part, "type"))
            {
                case "input_text" or "output_text" or "text" when Str(part, "text") is { } partText:
                    content.Add(Part(Str(part, "type") == "text" ? textType : Str(part, "type")!, partText));
                    break;
                case "refusal" when Str(part, "refusal") is { } refusal:
                    content.Add(new JsonObject { ["type"] = "refusal", ["refusal"] = refusal });
                    break;
                case "input_image" when role != "assistant" && Str(part, "image_url") is { Length: > 0 } url:
                    content.Add(new JsonObject { ["type"] = "input_image", ["image_url"] = url, ["detail"] = Str(part, "detail") ?? "auto" });
                    break;
                default:
                    return (null, OpenAiError.InvalidRequest(
                        $"Invalid content part at '{partParam}': supported are input_text and input_image (with image_url) for input roles, output_text and refusal for assistant.",
                        $"{partParam}.type", "invalid_value"));
            }
        }

        return (Message(id, role, content), null);
    }

    // function_call_output.output: a string, or input_text parts (their text joined).
    private static (string? Text, OpenAiError? Error) OutputText(JsonNode? output, string param)
    {
        if (output is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return (v.GetValue<string>(), null);
        }

        if (output is JsonArray parts && parts.All(p => Str(p, "text") is not null))
        {
            return (string.Concat(parts.Select(p => Str(p, "text"))), null);
        }

        return (null, OpenAiError.InvalidRequest($"Invalid type for '{param}': expected a string.", param, "invalid_type"));
    }

    private static JsonObject ChatMessage(JsonObject item)
    {
        var role = Str(item, "role")!;
        var parts = item["content"] as JsonArray ?? [];
        if (parts.Any(p => Str(p, "type") == "input_image"))
        {
            var content = new JsonArray();
            foreach (var part in parts)
            {
                content.Add(Str(part, "type") == "input_image"
                    ? new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = Str(part, "image_url"), ["detail"] = Str(part, "detail") ?? "auto" } }
                    : new JsonObject { ["type"] = "text", ["text"] = Str(part, "text") ?? Str(part, "refusal") ?? "" });
            }

            return new JsonObject { ["role"] = role, ["content"] = content };
        }

        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(text.Length > 0 ? "\n" : "").Append(Str(part, "text") ?? Str(part, "refusal"));
        }

        return new JsonObject { ["role"] = role, ["content"] = text.ToString() };
    }
}
