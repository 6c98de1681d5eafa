using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

// The inbound direction of AnthropicRequestMapper: an Anthropic Messages body (POST /v1/messages) to the OpenAI chat
// body the pipeline routes, validating each field against the Messages schema (errors worded like Anthropic's own
// invalid_request_error). The outbound direction (chat to Messages, for Anthropic arms): AnthropicRequestMapper.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
internal static partial class AnthropicRequestMapper
{
    /// <summary>
    /// The OpenAI chat body for an Anthropic Messages body (inbound), or the message of the first field that does not
    /// follow the Messages schema (an <c>invalid_request_error</c>). Unknown top-level fields are dropped.
    /// </summary>
    public static (JsonObject? Chat, string? Error) ToChat(JsonObject request)
    {
        if (request["max_tokens"] is null)
        {
            return (null, "max_tokens: Field required");
        }

        if (Int(request, "max_tokens") is not { } maxTokens || maxTokens < 1)
        {
            return (null, "max_tokens: Input should be a valid integer greater than or equal to 1");
        }

        if (request["messages"] is not JsonArray inbound)
        {
            return (null, request["messages"] is null ? "messages: Field required" : "messages: Input should be a valid list");
        }

        var messages = new JsonArray();
        var (system, systemError) = SystemText(request["system"]);
        if (systemError is not null)
        {
            return (null, systemError);
        }

        if (system.Length > 0)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        for (var i = 0; i < inbound.Count; i++)
        {
            var error = AppendChatTurns(inbound[i], i, messages);
            if (error is not null)
            {
                return (null, error);
            }
        }

        var chat = new JsonObject { ["model"] = request["model"]?.DeepClone(), ["messages"] = messages, ["max_tokens"] = maxTokens };
        CopyIfPresent(request, "temperature", chat, "temperature");
        CopyIfPresent(request, "top_p", chat, "top_p");
        CopyIfPresent(request, "stream", chat, "stream");
        if (request["stop_sequences"] is JsonNode stops)
        {
            if (stops is not JsonArray array || array.Any(x => x?.GetValueKind() != JsonValueKind.String))
            {
                return (null, "stop_sequences: Input should be a valid list of strings");
            }

            chat["stop"] = stops.DeepClone();
        }

        var toolError = CopyTools(request, chat);
        if (toolError is not null)
        {
            return (null, toolError);
        }

        if (Str(request["metadata"], "user_id") is { } userId)
        {
            chat["user"] = userId;
        }

        if (request["router"] is JsonNode router)
        {
            chat["router"] = router.DeepClone(); // the gateway's per-request knobs, read by the OpenAI parser
        }

        return (chat, null);
    }

    private static (string Text, string? Error) SystemText(JsonNode? system)
    {
        if (system is null)
        {
            return ("", null);
        }

        if (system.GetValueKind() == JsonValueKind.String)
        {
            return (system.GetValue<string>(), null);
        }

        return system is JsonArray blocks && blocks.All(b => Str(b, "type") == "text" && Str(b, "text") is not null)
            ? (ContentText(blocks), null)
            : ("", "system: Input should be a valid string or a list of text blocks");
    }

    // One Anthropic turn as OpenAI messages: tool_result blocks become tool messages (before the turn's other
    // content, which answers after them), tool_use blocks become the assistant's tool_calls.
    private static string? AppendChatTurns(JsonNode? turn, int i, JsonArray messages)
    {
        var role = Str(turn, "role");
        if (role is not ("user" or "assistant"))
        {
            return turn is JsonObject
                ? $"messages.{i}.role: Input should be 'user' or 'assistant'"
                : $"messages.{i}: Input should be a valid dictionary";
        }

        var content = turn!["content"];
        if (content is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            messages.Add(new JsonObject { ["role"] = role, ["content"] = text.GetValue<string>() });
            return null;
        }

        if (content is not JsonArray blocks)
        {
            return $"messages.{i}.content: Input should be a valid string or a list of content blocks";
        }

        var parts = new JsonArray();
        var toolCalls = new JsonArray();
        for (var j = 0; j < blocks.Count; j++)
        {
            var block = blocks[j];
            switch (Str(block, "type"))
            {
                case "text" when Str(block, "text") is { } t:
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = t });
                    break;
                case "image" when block!["source"] is JsonObject source:
                    var url = Str(source, "type") == "base64" ? $"data:{Str(source, "media_type")};base64,{Str(source, "data")}" : Str(source, "url");
                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
                    break;
                case "tool_use" when role == "assistant" && Str(block, "id") is { } id && Str(block, "name") is { } name:
                    toolCalls.Add(new JsonObject
                    {
                        ["id"] = id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = (block!["input"] ?? new JsonObject()).ToJsonString() },
                    });
                    break;
                case "tool_result" when role == "user" && Str(block, "tool_use_id") is { } useId:
                    var resultText = block!["content"] is JsonValue { } rv && rv.GetValueKind() == JsonValueKind.String ? rv.GetValue<string>() : ContentText(block["content"]);
                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = useId, ["content"] = resultText });
                    break;
                case "thinking" or "redacted_thinking":
                    break; // the model's own reasoning: not replayed to another provider
                default:
                    return $"messages.{i}.content.{j}: Input tag '{Str(block, "type") ?? "(none)"}' is not a valid content block for role '{role}' (text, image, tool_use, tool_result)";
            }
        }

        if (parts.Count == 0 && toolCalls.Count == 0)
        {
            return null; // a turn of tool results only
        }

        var message = new JsonObject { ["role"] = role };
        message["content"] = parts.Count == 0 ? null : role == "assistant" ? ContentText(parts) : parts;
        if (toolCalls.Count > 0)
        {
            message["tool_calls"] = toolCalls;
        }

        messages.Add(message);
        return null;
    }

    private static string? CopyTools(JsonObject request, JsonObject chat)
    {
        if (request["tools"] is null)
        {
            return null;
        }

        if (request["tools"] is not JsonArray tools || tools.Any(t => Str(t, "name") is null))
        {
            return "tools: Input should be a valid list of tools, each with a string 'name'";
        }

        chat["tools"] = new JsonArray([.. tools.Select(tool => (JsonNode)new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = Str(tool, "name"),
                ["description"] = Str(tool, "description"),
                ["parameters"] = tool!["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
            },
        })]);
        var choice = request["tool_choice"];
        switch (Str(choice, "type"))
        {
            case null:
                break;
            case "auto":
                chat["tool_choice"] = "auto";
                break;
            case "any":
                chat["tool_choice"] = "required";
                break;
            case "none":
                chat["tool_choice"] = "none";
                break;
            case "tool" when Str(choice, "name") is { } name:
                chat["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } };
                break;
            default:
                return "tool_choice: Input should be an object with type 'auto', 'any', 'tool' (with a name) or 'none'";
        }

        if (choice?["disable_parallel_tool_use"] is JsonValue d && d.GetValueKind() == JsonValueKind.True)
        {
            chat["parallel_tool_calls"] = false;
        }

        return null;
    }
}
