using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.OpenAi;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// A <c>POST /v1/responses</c> body to the OpenAI chat body the pipeline routes (the mapping OpenAI documents in
/// "Migrating from Chat Completions"): <c>instructions</c> → a leading system message (not carried to later turns,
/// as OpenAI does); the earlier conversation, then the <c>input</c> items → <c>messages</c>; function <c>tools</c>
/// (flat) → chat's nested <c>function</c> tools; <c>tool_choice</c>; <c>text.format</c> → <c>response_format</c>;
/// <c>max_output_tokens</c> → <c>max_completion_tokens</c>; <c>temperature</c>, <c>top_p</c>,
/// <c>parallel_tool_calls</c>, <c>user</c> and the gateway's <c>router</c> knobs as they are. <c>metadata</c> is kept
/// on the response only (chat would refuse it without <c>store</c>).
/// </summary>
internal static class ResponsesRequestMapper
{
    /// <summary>The chat body for <paramref name="request"/>, with <paramref name="history"/> then <paramref name="input"/> as turns.</summary>
    public static (JsonObject? Chat, OpenAiError? Error) ToChat(JsonObject request, JsonArray history, JsonArray input)
    {
        var messages = new JsonArray();
        if (request["instructions"] is not null)
        {
            if (Str(request, "instructions") is not { } instructions)
            {
                return (null, OpenAiError.InvalidRequest("Invalid type for 'instructions': expected a string.", "instructions", "invalid_type"));
            }

            messages.Add(new JsonObject { ["role"] = "system", ["content"] = instructions });
        }

        ResponsesItems.AppendMessages(history, messages);
        ResponsesItems.AppendMessages(input, messages);
        var chat = new JsonObject { ["model"] = request["model"]?.DeepClone(), ["messages"] = messages };
        foreach (var name in (ReadOnlySpan<string>)["temperature", "top_p"])
        {
            if (request[name] is { } value)
            {
                if (value.GetValueKind() != JsonValueKind.Number)
                {
                    return (null, OpenAiError.InvalidRequest($"Invalid type for '{name}': expected a number.", name, "invalid_type"));
                }

                chat[name] = value.DeepClone();
            }
        }

        if (request["max_output_tokens"] is not null)
        {
            if (Int(request, "max_output_tokens") is not { } maxTokens || maxTokens < 1)
            {
                return (null, OpenAiError.InvalidRequest("Invalid 'max_output_tokens': expected an integer >= 1.", "max_output_tokens", "invalid_value"));
            }

            chat["max_completion_tokens"] = maxTokens;
        }

        foreach (var name in (ReadOnlySpan<string>)["parallel_tool_calls", "stream", "user", OpenAiRequestParser.RouterField])
        {
            if (request[name] is { } value)
            {
                chat[name] = value.DeepClone();
            }
        }

        var error = MapTools(request, chat) ?? MapTextFormat(request, chat);
        return error is null ? (chat, null) : (null, error);
    }

    private static OpenAiError? MapTools(JsonObject request, JsonObject chat)
    {
        if (request["tools"] is { } toolsNode)
        {
            if (toolsNode is not JsonArray tools)
            {
                return OpenAiError.InvalidRequest("Invalid type for 'tools': expected an array.", "tools", "invalid_type");
            }

            var chatTools = new JsonArray();
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                if (Str(tool, "type") != "function")
                {
                    return OpenAiError.InvalidRequest(
                        $"Unsupported tool type '{OpenAiError.Quote(Str(tool, "type") ?? "(missing)")}' at 'tools[{i}].type': the gateway serves function tools only.",
                        $"tools[{i}].type", "unsupported_value");
                }

                if (Str(tool, "name") is not { Length: > 0 } name)
                {
                    return OpenAiError.InvalidRequest($"Missing required parameter: 'tools[{i}].name'.", $"tools[{i}].name", "missing_required_parameter");
                }

                var function = new JsonObject { ["name"] = name };
                foreach (var field in (ReadOnlySpan<string>)["description", "parameters", "strict"])
                {
                    if (tool![field] is { } value)
                    {
                        function[field] = value.DeepClone();
                    }
                }

                chatTools.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            if (chatTools.Count > 0)
            {
                chat["tools"] = chatTools;
            }
        }

        switch (request["tool_choice"])
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "auto" or "none" or "required":
                chat["tool_choice"] = v.GetValue<string>();
                return null;
            case JsonObject o when Str(o, "type") == "function" && Str(o, "name") is { Length: > 0 } name:
                chat["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } };
                return null;
            default:
                return OpenAiError.InvalidRequest(
                    "Invalid 'tool_choice': expected 'auto', 'none', 'required' or {\"type\": \"function\", \"name\": \"…\"}.", "tool_choice", "invalid_value");
        }
    }

    private static OpenAiError? MapTextFormat(JsonObject request, JsonObject chat)
    {
        if (request["text"] is null)
        {
            return null;
        }

        if (request["text"] is not JsonObject text)
        {
            return OpenAiError.InvalidRequest("Invalid type for 'text': expected an object.", "text", "invalid_type");
        }

        if (text["format"] is not JsonObject format)
        {
            return text["format"] is null ? null : OpenAiError.InvalidRequest("Invalid type for 'text.format': expected an object.", "text.format", "invalid_type");
        }

        switch (Str(format, "type"))
        {
            case "text":
                return null;
            case "json_object":
                chat["response_format"] = new JsonObject { ["type"] = "json_object" };
                return null;
            case "json_schema":
                if (Str(format, "name") is not { Length: > 0 } name || format["schema"] is not JsonObject schema)
                {
                    return OpenAiError.InvalidRequest("Missing required parameter: 'text.format.name' and 'text.format.schema' (an object).", "text.format.schema", "missing_required_parameter");
                }

                var jsonSchema = new JsonObject { ["name"] = name, ["schema"] = schema.DeepClone() };
                foreach (var field in (ReadOnlySpan<string>)["description", "strict"])
                {
                    if (format[field] is { } value)
                    {
                        jsonSchema[field] = value.DeepClone();
                    }
                }

                chat["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = jsonSchema };
                return null;
            default:
                return OpenAiError.InvalidRequest("Invalid 'text.format.type': expected 'text', 'json_object' or 'json_schema'.", "text.format.type", "invalid_value");
        }
    }
}
