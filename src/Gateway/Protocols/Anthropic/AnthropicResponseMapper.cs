using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// Answers between the Anthropic Messages form and the OpenAI chat form: text blocks ↔ <c>content</c>, tool_use blocks
/// ↔ <c>tool_calls</c>, <c>stop_reason</c> ↔ <c>finish_reason</c> (end_turn/stop_sequence → stop, max_tokens →
/// length, tool_use → tool_calls), <c>usage.input_tokens/output_tokens</c> ↔ <c>prompt_tokens/completion_tokens</c>.
/// </summary>
internal static class AnthropicResponseMapper
{
    /// <summary>
    /// The OpenAI finish_reason for an Anthropic stop_reason; <c>tool_use</c> without a client tool call (only the
    /// <see cref="AnthropicJsonAnswer"/> tool was used) is a finished answer, <c>stop</c>.
    /// </summary>
    public static string FinishReason(string? stopReason, bool clientToolCalls = true) => stopReason switch
    {
        "max_tokens" => "length",
        "tool_use" when !clientToolCalls => "stop",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>The Anthropic stop_reason for an OpenAI finish_reason.</summary>
    public static string StopReason(string? finishReason) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>Anthropic's prompt tokens: uncached input plus cache reads and writes (all billed as input).</summary>
    public static long InputTokens(JsonNode? usage) =>
        (Int(usage, "input_tokens") ?? 0) + (Int(usage, "cache_read_input_tokens") ?? 0) + (Int(usage, "cache_creation_input_tokens") ?? 0);

    /// <summary>
    /// An OpenAI <c>chat.completion</c> for an Anthropic <c>message</c> (outbound answer); with <paramref name="json"/>,
    /// its answer tool's <c>tool_use</c> becomes the content.
    /// </summary>
    public static JsonObject ToChat(JsonObject message, long created, AnthropicJsonAnswer? json = null)
    {
        var text = new System.Text.StringBuilder();
        var toolCalls = new JsonArray();
        foreach (var block in message["content"] as JsonArray ?? [])
        {
            if (Str(block, "type") == "text")
            {
                text.Append(Str(block, "text"));
            }
            else if (Str(block, "type") == "tool_use" && AnthropicJsonAnswer.IsAnswer(json, block))
            {
                text.Append(json!.Text(block!["input"]));
            }
            else if (Str(block, "type") == "tool_use")
            {
                toolCalls.Add(new JsonObject
                {
                    ["id"] = Str(block, "id"),
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = Str(block, "name"), ["arguments"] = (block!["input"] ?? new JsonObject()).ToJsonString() },
                });
            }
        }

        var reply = new JsonObject { ["role"] = "assistant", ["content"] = toolCalls.Count > 0 && text.Length == 0 ? null : text.ToString() };
        if (toolCalls.Count > 0)
        {
            reply["tool_calls"] = toolCalls;
        }

        var input = InputTokens(message["usage"]);
        var output = Int(message["usage"], "output_tokens") ?? 0;
        return new JsonObject
        {
            ["id"] = "chatcmpl-" + (Str(message, "id") ?? "anthropic"),
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = Str(message, "model"),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = reply,
                ["logprobs"] = null,
                ["finish_reason"] = FinishReason(Str(message, "stop_reason"), toolCalls.Count > 0),
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output },
        };
    }

    /// <summary>An Anthropic <c>message</c> for an OpenAI <c>chat.completion</c> (inbound answer).</summary>
    public static JsonObject FromChat(JsonObject completion, string messageId, string model)
    {
        var choice = (completion["choices"] as JsonArray)?.FirstOrDefault();
        var message = choice?["message"];
        var content = new JsonArray();
        if (ContentText(message?["content"]) is { Length: > 0 } text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in message?["tool_calls"] as JsonArray ?? [])
        {
            content.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = Str(call, "id"),
                ["name"] = Str(call?["function"], "name"),
                ["input"] = ArgumentsObject(Str(call?["function"], "arguments")),
            });
        }

        return new JsonObject
        {
            ["id"] = messageId,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = content,
            ["stop_reason"] = StopReason(Str(choice, "finish_reason")),
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = Int(completion["usage"], "prompt_tokens") ?? 0,
                ["output_tokens"] = Int(completion["usage"], "completion_tokens") ?? 0,
            },
        };
    }

    /// <summary>Anthropic's error type for an HTTP status (docs.anthropic.com "Errors").</summary>
    public static string ErrorType(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        < 500 => "invalid_request_error",
        _ => "api_error",
    };

    /// <summary>The Anthropic error envelope: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
    public static byte[] ErrorBody(int status, string message) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = ErrorType(status), ["message"] = message },
    });
}
