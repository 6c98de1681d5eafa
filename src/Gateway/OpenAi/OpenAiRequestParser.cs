using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Core.Routing;
using Router.Gateway.Pipeline;

namespace Router.Gateway.OpenAi;

/// <summary>
/// Validates an OpenAI request body and extracts what routing needs. Checks the fields the gateway relies on and the
/// common type errors (so clients get a 400 here rather than an opaque upstream error); unknown fields pass through.
/// </summary>
public static partial class OpenAiRequestParser
{
    /// <summary>The extra body field with per-request routing knobs; removed before forwarding.</summary>
    public const string RouterField = "router";

    /// <summary>Header prefix of the per-request routing knobs.</summary>
    public const string KnobHeaderPrefix = "x-router-";

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
            UserId = obj["user"] is JsonValue user && user.GetValueKind() == JsonValueKind.String ? user.GetValue<string>() : null,
        }, null);
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
