using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Builds the <c>response</c> object (platform.openai.com/docs/api-reference/responses/object) of one request: the
/// request's settings echoed as OpenAI echoes them (instructions, limits, sampling, text format, tools, tool choice,
/// metadata, store, previous id), with the status, model, output items and usage of the answer. The SDKs compute
/// <c>output_text</c> from <c>output</c>. One per request; not thread-safe.
/// </summary>
internal sealed class ResponseObjectBuilder
{
    private readonly JsonObject _request;

    public ResponseObjectBuilder(JsonObject request, string id, string hex, long createdAt, bool store)
    {
        _request = request;
        Id = id;
        Hex = hex;
        CreatedAt = createdAt;
        Store = store;
    }

    /// <summary>The response id (<c>resp_…</c>).</summary>
    public string Id { get; }

    /// <summary>The hex shared by the response's item ids.</summary>
    public string Hex { get; }

    public long CreatedAt { get; }

    public bool Store { get; }

    /// <summary>The model the client asked for (the answer's own model replaces it when known).</summary>
    public string RequestedModel => Str(_request, "model") ?? "";

    /// <summary>The <c>response</c> object with <paramref name="status"/> and <paramref name="output"/>.</summary>
    public JsonObject Build(string status, string? model, JsonArray output, JsonObject? usage, JsonObject? error = null, string? incompleteReason = null) => new()
    {
        ["id"] = Id,
        ["object"] = "response",
        ["created_at"] = CreatedAt,
        ["status"] = status,
        ["background"] = false,
        ["error"] = error,
        ["incomplete_details"] = incompleteReason is null ? null : new JsonObject { ["reason"] = incompleteReason },
        ["instructions"] = Echo("instructions"),
        ["max_output_tokens"] = Echo("max_output_tokens"),
        ["model"] = model ?? RequestedModel,
        ["output"] = output,
        ["parallel_tool_calls"] = Echo("parallel_tool_calls") ?? true,
        ["previous_response_id"] = Echo("previous_response_id"),
        ["reasoning"] = new JsonObject { ["effort"] = null, ["summary"] = null },
        ["service_tier"] = "default",
        ["store"] = Store,
        ["temperature"] = Echo("temperature") ?? 1.0,
        ["text"] = Echo("text") ?? new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = Echo("tool_choice") ?? "auto",
        ["tools"] = Echo("tools") ?? new JsonArray(),
        ["top_p"] = Echo("top_p") ?? 1.0,
        ["truncation"] = "disabled",
        ["usage"] = usage,
        ["user"] = Echo("user"),
        ["metadata"] = Echo("metadata") ?? new JsonObject(),
    };

    /// <summary>The output items of a whole chat completion's first choice: its text as a message, its tool calls as function calls.</summary>
    public JsonArray OutputFromChat(JsonObject completion)
    {
        var output = new JsonArray();
        var message = (completion["choices"] as JsonArray)?.FirstOrDefault()?["message"];
        if (ContentText(message?["content"]) is { Length: > 0 } text)
        {
            output.Add(ResponsesItems.Message(ItemId("msg", output.Count), "assistant", [ResponsesItems.Part("output_text", text)]));
        }
        else if (Str(message, "refusal") is { Length: > 0 } refusal)
        {
            output.Add(ResponsesItems.Message(ItemId("msg", output.Count), "assistant", [new JsonObject { ["type"] = "refusal", ["refusal"] = refusal }]));
        }

        foreach (var call in message?["tool_calls"] as JsonArray ?? [])
        {
            output.Add(FunctionCall(ItemId("fc", output.Count), Str(call, "id") ?? ItemId("call", output.Count), Str(call?["function"], "name") ?? "",
                Str(call?["function"], "arguments") ?? "{}", "completed"));
        }

        return output;
    }

    /// <summary>An output item id (counted from 0x80, apart from the input items' ids of the same response).</summary>
    public string ItemId(string prefix, int outputIndex) => ResponsesItems.NewId(prefix, Hex, 0x80 + outputIndex);

    /// <summary>A <c>function_call</c> output item.</summary>
    public static JsonObject FunctionCall(string id, string callId, string name, string arguments, string status) => new()
    {
        ["type"] = "function_call", ["id"] = id, ["call_id"] = callId, ["name"] = name, ["arguments"] = arguments, ["status"] = status,
    };

    /// <summary>Responses usage from chat usage (<c>prompt_tokens</c> → <c>input_tokens</c> …); zeros when the upstream reported none.</summary>
    public static JsonObject Usage(JsonNode? chatUsage)
    {
        var input = Int(chatUsage, "prompt_tokens") ?? 0;
        var output = Int(chatUsage, "completion_tokens") ?? 0;
        return new JsonObject
        {
            ["input_tokens"] = input,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = Int(chatUsage?["prompt_tokens_details"], "cached_tokens") ?? 0 },
            ["output_tokens"] = output,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = Int(chatUsage?["completion_tokens_details"], "reasoning_tokens") ?? 0 },
            ["total_tokens"] = input + output,
        };
    }

    /// <summary>The response status and incomplete reason for a chat <c>finish_reason</c>.</summary>
    public static (string Status, string? IncompleteReason) Status(string? finishReason) => finishReason switch
    {
        "length" => ("incomplete", "max_output_tokens"),
        "content_filter" => ("incomplete", "content_filter"),
        _ => ("completed", null),
    };

    private JsonNode? Echo(string name) => _request[name] is { } value && value.GetValueKind() != JsonValueKind.Null ? value.DeepClone() : null;
}
