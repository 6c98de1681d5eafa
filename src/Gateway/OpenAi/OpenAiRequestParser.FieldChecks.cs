using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Router.Gateway.OpenAi;

// The type and range checks of OpenAiRequestParser for the OpenAI fields the gateway forwards untouched (sampling
// numbers, token limits, stop, logit_bias, tools, response_format...), so that a wrong type gets a 400 here instead
// of reaching an arm. Parsing and routing knobs: OpenAiRequestParser.cs; query text: OpenAiRequestParser.QueryText.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public static partial class OpenAiRequestParser
{
    // The types of the other OpenAI fields the gateway forwards untouched. A wrong type used to reach the arm: a real
    // upstream answered its own 400 after a routing decision, a simulated or lenient one served it with a 200.
    // Only types (and documented ranges) are checked: which values a model supports is the upstream's call.
    private static OpenAiError? CheckTypes(JsonObject obj) =>
        CheckNumber(obj, "presence_penalty", -2, 2) ?? CheckNumber(obj, "frequency_penalty", -2, 2)
        ?? CheckInteger(obj, "seed", long.MinValue, long.MaxValue, "'seed' must be an integer.")
        ?? CheckInteger(obj, "top_logprobs", 0, 20) ?? CheckInteger(obj, "best_of", 1, 128)
        ?? CheckKind(obj, "user", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "safety_identifier", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "prompt_cache_key", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "suffix", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "service_tier", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "reasoning_effort", "a string", JsonValueKind.String)
        ?? CheckKind(obj, "parallel_tool_calls", "a boolean", JsonValueKind.True, JsonValueKind.False)
        ?? CheckKind(obj, "store", "a boolean", JsonValueKind.True, JsonValueKind.False)
        ?? CheckKind(obj, "echo", "a boolean", JsonValueKind.True, JsonValueKind.False)
        ?? CheckKind(obj, "metadata", "an object", JsonValueKind.Object)
        ?? CheckKind(obj, "tool_choice", "a string or an object", JsonValueKind.String, JsonValueKind.Object)
        ?? CheckKind(obj, "function_call", "a string or an object", JsonValueKind.String, JsonValueKind.Object)
        ?? CheckLogprobs(obj) ?? CheckStop(obj) ?? CheckLogitBias(obj)
        ?? CheckObjects(obj, "tools", "type") ?? CheckObjects(obj, "functions", "name") ?? CheckResponseFormat(obj);

    private static OpenAiError? CheckKind(JsonObject obj, string name, string what, params JsonValueKind[] kinds) =>
        obj.TryGetPropertyValue(name, out var node) && node is not null && Array.IndexOf(kinds, node.GetValueKind()) < 0
            ? OpenAiError.InvalidRequest($"'{name}' must be {what}.", name)
            : null;

    // Chat: a boolean; legacy completions: an integer 0..5.
    private static OpenAiError? CheckLogprobs(JsonObject obj) =>
        obj.TryGetPropertyValue("logprobs", out var node) && node?.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? null
            : CheckInteger(obj, "logprobs", 0, 5, "'logprobs' must be a boolean (chat) or an integer between 0 and 5 (completions).");

    private static OpenAiError? CheckStop(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("stop", out var node) || node is null || node.GetValueKind() == JsonValueKind.String)
        {
            return null;
        }

        return node is JsonArray stops && stops.All(s => s?.GetValueKind() == JsonValueKind.String)
            ? null
            : OpenAiError.InvalidRequest("'stop' must be a string or an array of strings.", "stop");
    }

    private static OpenAiError? CheckLogitBias(JsonObject obj)
    {
        if (!obj.TryGetPropertyValue("logit_bias", out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonObject biases)
        {
            return OpenAiError.InvalidRequest("'logit_bias' must be an object mapping token ids to numbers between -100 and 100.", "logit_bias");
        }

        foreach (var (token, bias) in biases)
        {
            if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out _) || bias?.GetValueKind() != JsonValueKind.Number
                || bias.GetValue<double>() is < -100 or > 100)
            {
                return OpenAiError.InvalidRequest(
                    $"'logit_bias' must map token ids to numbers between -100 and 100; got '{Truncate(token)}'.", "logit_bias");
            }
        }

        return null;
    }

    // An array of objects, each with a string member `member` (tools: "type"; functions: "name").
    private static OpenAiError? CheckObjects(JsonObject obj, string name, string member)
    {
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray items)
        {
            return OpenAiError.InvalidRequest($"'{name}' must be an array.", name);
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item || item[member]?.GetValueKind() != JsonValueKind.String)
            {
                return OpenAiError.InvalidRequest($"'{name}[{i}]' must be an object with a string '{member}'.", $"{name}[{i}]");
            }
        }

        return null;
    }

    private static OpenAiError? CheckResponseFormat(JsonObject obj) =>
        obj.TryGetPropertyValue("response_format", out var node) && node is not null
            && (node is not JsonObject format || format["type"]?.GetValueKind() != JsonValueKind.String)
            ? OpenAiError.InvalidRequest("'response_format' must be an object with a string 'type' (text, json_object, json_schema).", "response_format")
            : null;

    private static OpenAiError? CheckNumber(JsonObject obj, string name, double min, double max)
    {
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node.GetValueKind() != JsonValueKind.Number || node.GetValue<double>() is var v && (v < min || v > max)
            ? OpenAiError.InvalidRequest($"'{name}' must be a number between {min} and {max}.", name)
            : null;
    }

    private static OpenAiError? CheckInteger(JsonObject obj, string name, long min, long max, string? message = null)
    {
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        var ok = node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var v) && v >= min && v <= max;
        if (!ok && node.GetValueKind() == JsonValueKind.Number)
        {
            // JsonNode numbers parsed from text are JsonElement-backed; TryGetValue<long> fails for "5.5".
            ok = node.AsValue().TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out var w) && w >= min && w <= max;
        }

        return ok ? null : OpenAiError.InvalidRequest(message ??
            (max < int.MaxValue ? $"'{name}' must be an integer between {min} and {max}." : $"'{name}' must be an integer >= {min}."), name);
    }
}
