using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// Requests between the OpenAI chat form and the Anthropic Messages form (docs.anthropic.com "Messages" and "OpenAI
/// SDK compatibility"): system turns ↔ <c>system</c>; tool calls ↔ <c>tool_use</c> blocks; tool messages ↔
/// <c>tool_result</c> blocks in a user turn; <c>stop</c> ↔ <c>stop_sequences</c>; <c>tool_choice</c>
/// auto/required/none/function ↔ auto/any/none/tool; <c>user</c> ↔ <c>metadata.user_id</c>.
/// </summary>
internal static class AnthropicRequestMapper
{
    /// <summary>The Anthropic body for an OpenAI chat body (outbound); <paramref name="defaultMaxTokens"/> when the client set none.</summary>
    public static JsonObject FromChat(JsonObject chat, int defaultMaxTokens)
    {
        var system = new StringBuilder();
        var messages = new JsonArray();
        foreach (var message in chat["messages"] as JsonArray ?? [])
        {
            switch (Str(message, "role"))
            {
                case "system" or "developer":
                    system.Append(system.Length > 0 ? "\n" : "").Append(ContentText(message!["content"]));
                    break;
                case "assistant":
                    Append(messages, "assistant", AssistantBlocks(message!.AsObject()));
                    break;
                case "tool" or "function":
                    Append(messages, "user", [new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = Str(message, "tool_call_id") ?? Str(message, "name") ?? "",
                        ["content"] = ContentText(message!["content"]),
                    }]);
                    break;
                default:
                    Append(messages, "user", UserBlocks(message!["content"]));
                    break;
            }
        }

        var result = new JsonObject { ["model"] = chat["model"]?.DeepClone() };
        if (system.Length > 0)
        {
            result["system"] = system.ToString();
        }

        result["messages"] = messages;
        result["max_tokens"] = Int(chat, "max_completion_tokens") ?? Int(chat, "max_tokens") ?? defaultMaxTokens;
        if (chat["temperature"] is JsonValue temperature && temperature.TryGetValue<double>(out var t))
        {
            result["temperature"] = Math.Min(t, 1.0); // OpenAI allows 0..2, Anthropic 0..1
        }

        CopyIfPresent(chat, "top_p", result, "top_p");
        if (chat["stop"] is JsonNode stop)
        {
            result["stop_sequences"] = stop is JsonArray ? stop.DeepClone() : new JsonArray(stop.DeepClone());
        }

        if (chat["stream"] is JsonValue s && s.GetValueKind() == JsonValueKind.True)
        {
            result["stream"] = true;
        }

        if (chat["tools"] is JsonArray tools && tools.Count > 0)
        {
            result["tools"] = new JsonArray([.. tools.Select(tool => (JsonNode)new JsonObject
            {
                ["name"] = Str(tool?["function"], "name"),
                ["description"] = Str(tool?["function"], "description"),
                ["input_schema"] = tool?["function"]?["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
            })]);
            if (ToolChoiceFromChat(chat["tool_choice"], chat["parallel_tool_calls"]) is { } choice)
            {
                result["tool_choice"] = choice;
            }
        }

        if (Str(chat, "user") is { } user)
        {
            result["metadata"] = new JsonObject { ["user_id"] = user };
        }

        return result;
    }

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

    private static JsonObject? ToolChoiceFromChat(JsonNode? choice, JsonNode? parallel)
    {
        JsonObject? result = choice?.GetValueKind() == JsonValueKind.String
            ? choice.GetValue<string>() switch
            {
                "required" => new JsonObject { ["type"] = "any" },
                "none" => new JsonObject { ["type"] = "none" },
                _ => new JsonObject { ["type"] = "auto" },
            }
            : Str(choice?["function"], "name") is { } name ? new JsonObject { ["type"] = "tool", ["name"] = name } : null;
        if (parallel?.GetValueKind() == JsonValueKind.False)
        {
            result ??= new JsonObject { ["type"] = "auto" };
            result["disable_parallel_tool_use"] = true;
        }

        return result;
    }

    private static JsonArray AssistantBlocks(JsonObject message)
    {
        var blocks = new JsonArray();
        if (ContentText(message["content"]) is { Length: > 0 } text)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in message["tool_calls"] as JsonArray ?? [])
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = Str(call, "id"),
                ["name"] = Str(call?["function"], "name"),
                ["input"] = ArgumentsObject(Str(call?["function"], "arguments")),
            });
        }

        return blocks;
    }

    private static JsonArray UserBlocks(JsonNode? content)
    {
        if (content is not JsonArray parts)
        {
            var text = ContentText(content);
            return text.Length == 0 ? [] : [new JsonObject { ["type"] = "text", ["text"] = text }];
        }

        var blocks = new JsonArray();
        foreach (var part in parts)
        {
            if (Str(part, "type") == "text" && Str(part, "text") is { Length: > 0 } t)
            {
                blocks.Add(new JsonObject { ["type"] = "text", ["text"] = t });
            }
            else if (Str(part, "type") == "image_url" && Str(part?["image_url"], "url") is { } url)
            {
                blocks.Add(ImageBlock(url));
            }
        }

        return blocks;
    }

    // data: URLs become base64 sources; anything else an Anthropic url source.
    private static JsonObject ImageBlock(string url)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var source = url.StartsWith("data:", StringComparison.Ordinal) && comma > 0 && url[..comma].EndsWith(";base64", StringComparison.Ordinal)
            ? new JsonObject { ["type"] = "base64", ["media_type"] = url[5..comma].Replace(";base64", "", StringComparison.Ordinal), ["data"] = url[(comma + 1)..] }
            : new JsonObject { ["type"] = "url", ["url"] = url };
        return new JsonObject { ["type"] = "image", ["source"] = source };
    }

    // Consecutive turns of one role merge (tool results after a user turn, two user turns): Anthropic alternates roles.
    private static void Append(JsonArray messages, string role, JsonArray blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (messages.Count > 0 && Str(messages[^1], "role") == role && messages[^1]!["content"] is JsonArray previous)
        {
            foreach (var block in blocks.ToArray())
            {
                blocks.Remove(block);
                previous.Add(block);
            }

            return;
        }

        messages.Add(new JsonObject { ["role"] = role, ["content"] = blocks });
    }

    private static void CopyIfPresent(JsonObject from, string name, JsonObject to, string target)
    {
        if (from[name] is JsonNode value)
        {
            to[target] = value.DeepClone();
        }
    }
}
