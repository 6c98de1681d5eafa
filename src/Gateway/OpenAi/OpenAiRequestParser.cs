using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Core.Routing;
using Router.Gateway.Pipeline;

namespace Router.Gateway.OpenAi;

/// <summary>
/// Validates an OpenAI request body and extracts what routing needs. Checks the fields the gateway relies on and the
/// common type errors (so clients get a 400 here rather than an opaque upstream error); unknown fields pass through.
/// </summary>
public static class OpenAiRequestParser
{
    /// <summary>The extra body field with per-request routing knobs; removed before forwarding.</summary>
    public const string RouterField = "router";

    /// <summary>Header prefix of the per-request routing knobs.</summary>
    public const string KnobHeaderPrefix = "x-router-";

    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool", "function" };

    private static readonly (string Header, string BodyField)[] Knobs =
    [
        ("x-router-lambda", "lambda"),
        ("x-router-alpha", "alpha"),
        ("x-router-beta", "beta"),
        ("x-router-time-limit", "time_limit"),
        ("x-router-target-latency", "target_latency"),
    ];

    /// <summary>Parses and validates <paramref name="body"/>; returns the request or the error to send.</summary>
    public static (GatewayRequest? Request, OpenAiError? Error) Parse(OpenAiOperation operation, ReadOnlyMemory<byte> body, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (body.IsEmpty)
        {
            return Fail("The request body is empty; expected a JSON object.");
        }

        // JsonNode decodes strings lazily: invalid UTF-8 or a lone surrogate escape would surface later as an
        // InvalidOperationException (a 500). Validate every string once, up front, and answer 400 instead.
        if (JsonStrings.FindInvalid(body.Span) is { } invalid)
        {
            return Fail(invalid);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            return Fail($"We could not parse the JSON body of your request: {ex.Message}");
        }

        if (root is not JsonObject obj)
        {
            return Fail("The request body must be a JSON object.");
        }

        if (!TryGetString(obj, "model", required: true, out var model, out var error))
        {
            return (null, error);
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            return Fail("'model' must not be empty.", "model");
        }

        var stream = false;
        if (obj.TryGetPropertyValue("stream", out var streamNode) && streamNode is not null)
        {
            if (streamNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail("'stream' must be a boolean.", "stream");
            }

            stream = streamNode.GetValue<bool>();
        }

        if (stream && operation == OpenAiOperation.Embeddings)
        {
            return Fail("Embeddings cannot be streamed.", "stream");
        }

        if (obj.TryGetPropertyValue("stream_options", out var so) && so is not null)
        {
            if (so is not JsonObject)
            {
                return Fail("'stream_options' must be an object.", "stream_options");
            }

            if (!stream)
            {
                return Fail("'stream_options' is only allowed when 'stream' is true.", "stream_options");
            }

            if (so["include_usage"] is { } iu && iu.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail("'stream_options.include_usage' must be a boolean.", "stream_options.include_usage");
            }
        }

        var (policy, policyError) = ParsePolicy(obj, headers);
        if (policyError is not null)
        {
            return (null, policyError);
        }

        obj.Remove(RouterField);

        var commonError = CheckNumber(obj, "temperature", 0, 2) ?? CheckNumber(obj, "top_p", 0, 1)
            ?? CheckInteger(obj, "n", 1, 128) ?? CheckInteger(obj, "max_tokens", operation == OpenAiOperation.Completions ? 0 : 1, int.MaxValue)
            ?? CheckInteger(obj, "max_completion_tokens", 1, int.MaxValue) ?? CheckTypes(obj);
        if (commonError is not null)
        {
            return (null, commonError);
        }

        var (query, prompt, textError) = operation switch
        {
            OpenAiOperation.ChatCompletions => ChatText(obj),
            OpenAiOperation.Completions => CompletionText(obj),
            OpenAiOperation.Embeddings => EmbeddingText(obj),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        if (textError is not null)
        {
            return (null, textError);
        }

        return (new GatewayRequest
        {
            Operation = operation,
            Body = obj,
            Model = model!.Trim(),
            Stream = stream,
            ClientWantsStreamUsage = stream && so is JsonObject streamOptions && streamOptions["include_usage"] is JsonNode u && u.GetValueKind() == JsonValueKind.True,
            QueryText = query!,
            PromptText = prompt!,
            RequestPolicy = policy!,
        }, null);
    }

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

    private static (RoutingPolicy? Policy, OpenAiError? Error) ParsePolicy(JsonObject obj, IHeaderDictionary headers)
    {
        var values = new double?[Knobs.Length];
        if (obj.TryGetPropertyValue(RouterField, out var routerNode) && routerNode is not null)
        {
            if (routerNode is not JsonObject router)
            {
                return (null, OpenAiError.InvalidRequest($"'{RouterField}' must be an object of routing knobs.", RouterField));
            }

            foreach (var (name, _) in router)
            {
                if (!Array.Exists(Knobs, knob => knob.BodyField == name))
                {
                    return (null, OpenAiError.InvalidRequest(
                        $"Unknown routing knob '{RouterField}.{Truncate(name)}'; expected lambda, alpha, beta, time_limit or target_latency.",
                        $"{RouterField}.{Truncate(name)}", "unknown_parameter"));
                }
            }

            for (var k = 0; k < Knobs.Length; k++)
            {
                if (router.TryGetPropertyValue(Knobs[k].BodyField, out var v) && v is not null)
                {
                    if (v.GetValueKind() != JsonValueKind.Number || !double.IsFinite(v.GetValue<double>()) || v.GetValue<double>() < 0)
                    {
                        return (null, OpenAiError.InvalidRequest($"'{RouterField}.{Knobs[k].BodyField}' must be a number >= 0.", $"{RouterField}.{Knobs[k].BodyField}"));
                    }

                    values[k] = v.GetValue<double>();
                }
            }
        }

        for (var k = 0; k < Knobs.Length; k++)
        {
            if (headers.TryGetValue(Knobs[k].Header, out var raw))
            {
                if (!double.TryParse(raw.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
                {
                    return (null, OpenAiError.InvalidRequest($"Header '{Knobs[k].Header}' must be a number >= 0; got '{Truncate(raw.ToString())}'.", Knobs[k].Header));
                }

                values[k] = v;
            }
        }

        if (values[3] is 0)
        {
            return (null, OpenAiError.InvalidRequest("The time limit must be > 0 seconds.", "x-router-time-limit"));
        }

        return (new RoutingPolicy
        {
            Lambda = values[0],
            Alpha = values[1],
            Beta = values[2],
            TimeLimitSeconds = values[3],
            TargetLatencySeconds = values[4],
        }, null);
    }

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

    private static bool TryGetString(JsonObject obj, string name, bool required, out string? value, out OpenAiError? error, string? parent = null)
    {
        var param = parent is null ? name : $"{parent}.{name}";
        value = null;
        error = null;
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
        {
            if (required)
            {
                error = OpenAiError.InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");
                return false;
            }

            return true;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            error = OpenAiError.InvalidRequest($"'{param}' must be a string.", param);
            return false;
        }

        value = node.GetValue<string>();
        return true;
    }

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "...";

    private static (GatewayRequest?, OpenAiError?) Fail(string message, string? param = null) =>
        (null, OpenAiError.InvalidRequest(message, param));
}
