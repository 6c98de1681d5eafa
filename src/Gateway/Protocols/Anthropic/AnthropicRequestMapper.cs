using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// Requests between the OpenAI chat form and the Anthropic Messages form (docs.anthropic.com "Messages" and "OpenAI
/// SDK compatibility"): system turns ↔ <c>system</c>; tool calls ↔ <c>tool_use</c> blocks; tool messages ↔
/// <c>tool_result</c> blocks in a user turn; <c>stop</c> ↔ <c>stop_sequences</c>; <c>tool_choice</c>
/// auto/required/none/function ↔ auto/any/none/tool; <c>user</c> ↔ <c>metadata.user_id</c>; <c>response_format</c> →
/// an answer tool (<see cref="AnthropicJsonAnswer"/>).
/// </summary>
internal static partial class AnthropicRequestMapper
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

        // response_format has no Anthropic field: a forced answer tool (AnthropicJsonAnswer), as LiteLLM does.
        AnthropicJsonAnswer.For(chat)?.AddTo(result);
        if (Str(chat, "user") is { } user)
        {
            result["metadata"] = new JsonObject { ["user_id"] = user };
        }

        return result;
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
