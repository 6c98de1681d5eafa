using System.Text.Json;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// OpenAI's <c>response_format</c> (<c>json_schema</c>, <c>json_object</c>) on an <c>anthropic</c> arm, whose Messages
/// API has no such field. Mapped as LiteLLM maps it (litellm/llms/anthropic/chat/transformation.py,
/// <c>map_response_format_to_anthropic_tool</c>; tool name <c>json_tool_call</c>): one more tool whose
/// <c>input_schema</c> is the schema, forced with <c>tool_choice: {"type":"tool"}</c> when the client sent no tools of
/// its own; the model's <c>tool_use</c> of it comes back as the message content (its <c>input</c> as JSON text) with
/// <c>finish_reason: "stop"</c>. Anthropic requires an object <c>input_schema</c>: a schema with another root type is
/// wrapped as the required property <c>values</c> and unwrapped on the way back. <c>json_object</c> (no schema) is an
/// open object schema. Immutable; thread-safe.
/// </summary>
internal sealed class AnthropicJsonAnswer
{
    /// <summary>The name of the answer tool (LiteLLM's <c>RESPONSE_FORMAT_TOOL_NAME</c>).</summary>
    public const string ToolName = "json_tool_call";

    private const string WrapperProperty = "values";

    private AnthropicJsonAnswer(JsonObject tool, bool wrapped)
    {
        Tool = tool;
        Wrapped = wrapped;
    }

    /// <summary>The Anthropic tool definition to add to the request.</summary>
    public JsonObject Tool { get; }

    /// <summary>Whether the schema was wrapped as <c>values</c> (its root is not an object).</summary>
    public bool Wrapped { get; }

    /// <summary>The mapping for an OpenAI chat body's <c>response_format</c>; null for none or <c>text</c>.</summary>
    public static AnthropicJsonAnswer? For(JsonObject chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var format = chat["response_format"];
        switch (Str(format, "type"))
        {
            case "json_schema":
                var spec = format!["json_schema"];
                var schema = spec?["schema"] as JsonObject;
                var wrapped = schema is not null && Str(schema, "type") != "object";
                JsonObject input = schema is null
                    ? OpenObject()
                    : wrapped
                        ? new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject { [WrapperProperty] = schema.DeepClone() },
                            ["required"] = new JsonArray(WrapperProperty),
                        }
                        : schema.DeepClone().AsObject();
                return new AnthropicJsonAnswer(Definition(Str(spec, "description") ?? Describe(Str(spec, "name")), input), wrapped);
            case "json_object":
                return new AnthropicJsonAnswer(Definition("Answer with a JSON object.", OpenObject()), wrapped: false);
            default:
                return null;
        }
    }

    /// <summary>Whether a <c>tool_use</c> block (or its start event) is this answer rather than a client tool call.</summary>
    public static bool IsAnswer(AnthropicJsonAnswer? answer, JsonNode? block) => answer is not null && Str(block, "name") == ToolName;

    /// <summary>Adds the answer tool to the Anthropic body, forcing it when the client has no tools of its own.</summary>
    public void AddTo(JsonObject anthropic)
    {
        ArgumentNullException.ThrowIfNull(anthropic);
        if (anthropic["tools"] is JsonArray tools)
        {
            tools.Add(Tool.DeepClone());
            return; // the client's tool_choice (default auto) stands: the model picks a tool or the answer
        }

        anthropic["tools"] = new JsonArray(Tool.DeepClone());
        anthropic["tool_choice"] = new JsonObject { ["type"] = "tool", ["name"] = ToolName };
    }

    /// <summary>The message content for the answer tool's <paramref name="input"/>: the JSON text of the client's schema.</summary>
    public string Text(JsonNode? input)
    {
        var value = Wrapped ? input?[WrapperProperty] : input;
        return value?.ToJsonString() ?? (Wrapped ? "null" : "{}");
    }

    /// <summary>The content for an answer streamed as <c>input_json_delta</c> fragments (<paramref name="json"/> joined).</summary>
    public string Text(string json)
    {
        try
        {
            return Text(JsonNode.Parse(json.Length == 0 ? "{}" : json));
        }
        catch (JsonException)
        {
            return json; // a cut stream: pass what came rather than nothing
        }
    }

    private static JsonObject Definition(string description, JsonObject inputSchema) => new()
    {
        ["name"] = ToolName,
        ["description"] = description,
        ["input_schema"] = inputSchema,
    };

    // Anthropic answers 400 to "properties": null; an open object is how LiteLLM (and Anthropic's cookbook) ask for free JSON.
    private static JsonObject OpenObject() => new() { ["type"] = "object", ["additionalProperties"] = true, ["properties"] = new JsonObject() };

    private static string Describe(string? name) =>
        name is { Length: > 0 } ? $"Answer with the JSON of '{name}' (the schema is the input)." : "Answer with JSON of this schema.";
}
