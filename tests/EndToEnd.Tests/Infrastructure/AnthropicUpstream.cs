using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// A strict local Anthropic Messages API on a loopback port (real Kestrel): <c>POST /v1/messages</c> refuses a wrong
/// <c>x-api-key</c> (401), a missing <c>anthropic-version</c> or <c>max_tokens</c>, a field the API does not have (as
/// Anthropic's "Extra inputs are not permitted"), a tool whose <c>input_schema</c> is not an object schema and a
/// <c>tool_choice</c> naming a tool that was not sent (400) in Anthropic's error envelope; answers a text message, a
/// <c>tool_use</c> of the first tool (when <see cref="AnswerToolUse"/>) or of the tool that <c>tool_choice</c>
/// forces (its input an instance of the tool's schema), as JSON or as the documented SSE sequence; 529
/// <c>overloaded_error</c> on demand.
/// </summary>
public sealed class AnthropicUpstream : IAsyncDisposable
{
    // The request fields of the Messages API (docs.anthropic.com "Messages"); anything else is a 400 there.
    private static readonly HashSet<string> KnownFields =
    [
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_k", "top_p",
        "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers",
    ];

    private readonly WebApplication _app;
    private readonly string _apiKey;

    private AnthropicUpstream(WebApplication app, string apiKey)
    {
        _app = app;
        _apiKey = apiKey;
    }

    /// <summary>The API root (the arm's <c>baseUrl</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Bodies received (parsed), in order.</summary>
    public ConcurrentQueue<JsonObject> Received { get; } = new();

    /// <summary>The <c>x-api-key</c> of each request received, in order.</summary>
    public ConcurrentQueue<string> ReceivedApiKeys { get; } = new();

    /// <summary>When true, every request is answered 529 overloaded_error.</summary>
    public bool Overloaded { get; set; }

    /// <summary>When true and the request has tools, the answer is a tool_use of the first tool.</summary>
    public bool AnswerToolUse { get; set; }

    /// <summary>Starts the upstream accepting <paramref name="apiKey"/>.</summary>
    public static async Task<AnthropicUpstream> StartAsync(string apiKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new AnthropicUpstream(app, apiKey);
        app.MapPost("/v1/messages", upstream.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = new Uri(address);
        return upstream;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        ReceivedApiKeys.Enqueue(context.Request.Headers["x-api-key"].ToString());
        if (context.Request.Headers["x-api-key"] != _apiKey)
        {
            await ErrorAsync(context, 401, "authentication_error", "invalid x-api-key");
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
        {
            await ErrorAsync(context, 400, "invalid_request_error", "anthropic-version: header is required");
            return;
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Received.Enqueue(body);
        if (body["max_tokens"] is null)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "max_tokens: Field required");
            return;
        }

        if (Overloaded)
        {
            await ErrorAsync(context, 529, "overloaded_error", "Overloaded");
            return;
        }

        if (Invalid(body) is { } invalid)
        {
            await ErrorAsync(context, 400, "invalid_request_error", invalid);
            return;
        }

        var (tool, input) = ToolAnswer(body);
        var model = body["model"]!.GetValue<string>();
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(context, model, tool, input);
            return;
        }

        JsonNode block = tool is null
            ? new JsonObject { ["type"] = "text", ["text"] = "Hello from Claude." }
            : new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_01", ["name"] = tool, ["input"] = input };
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["id"] = "msg_test01", ["type"] = "message", ["role"] = "assistant", ["model"] = model,
            ["content"] = new JsonArray(block), ["stop_reason"] = tool is null ? "end_turn" : "tool_use", ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 21, ["output_tokens"] = 5 },
        });
    }

    // The checks of the real API that a translation bug would trip (the messages of Anthropic's 400s).
    private static string? Invalid(JsonObject body)
    {
        if (body.Select(p => p.Key).FirstOrDefault(k => !KnownFields.Contains(k)) is { } extra)
        {
            return $"{extra}: Extra inputs are not permitted";
        }

        var names = new List<string>();
        foreach (var (tool, i) in (body["tools"] as JsonArray ?? []).Select((t, i) => (t, i)))
        {
            if (tool?["input_schema"]?["type"]?.GetValue<string>() != "object")
            {
                return $"tools.{i}.custom.input_schema.type: Input should be 'object'";
            }

            names.Add(tool["name"]?.GetValue<string>() ?? "");
        }

        var choice = body["tool_choice"];
        return choice?["type"]?.GetValue<string>() == "tool" && !names.Contains(choice["name"]?.GetValue<string>() ?? "")
            ? "tool_choice: the tool named in tool_choice is not in tools"
            : null;
    }

    // A forced tool (tool_choice type tool) is always called, with an instance of its schema; AnswerToolUse calls the first.
    private (string? Tool, JsonObject Input) ToolAnswer(JsonObject body)
    {
        var tools = body["tools"] as JsonArray ?? [];
        var forced = body["tool_choice"]?["type"]?.GetValue<string>() == "tool" ? body["tool_choice"]!["name"]!.GetValue<string>() : null;
        if (forced is not null)
        {
            var schema = tools.First(t => t!["name"]!.GetValue<string>() == forced)!["input_schema"];
            return (forced, Instance(schema)!.AsObject());
        }

        return AnswerToolUse && tools.Count > 0 ? (tools[0]!["name"]!.GetValue<string>(), new JsonObject { ["city"] = "Paris" }) : (null, []);
    }

    // A value of the (simple) schema: the first enum value, else one per type; every property written.
    private static JsonNode? Instance(JsonNode? schema)
    {
        if (schema?["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }

        return schema?["type"]?.GetValue<string>() switch
        {
            "object" => new JsonObject((schema["properties"] as JsonObject ?? []).Select(p => KeyValuePair.Create(p.Key, Instance(p.Value)))),
            "array" => new JsonArray(Instance(schema["items"])),
            "integer" => 3,
            "number" => 2.5,
            "boolean" => true,
            "null" => null,
            _ => "Paris",
        };
    }

    private static async Task StreamAsync(HttpContext context, string model, string? tool, JsonObject input)
    {
        context.Response.ContentType = "text/event-stream";
        async Task Send(string name, JsonObject data)
        {
            await context.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }

        await Send("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_stream01", ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = new JsonArray(),
                ["usage"] = new JsonObject { ["input_tokens"] = 21, ["output_tokens"] = 1 },
            },
        });
        await Send("ping", new JsonObject { ["type"] = "ping" });
        if (tool is null)
        {
            await Send("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
            foreach (var word in new[] { "Hello", " from", " Claude." })
            {
                await Send("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = word } });
            }
        }
        else
        {
            await Send("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start", ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_01", ["name"] = tool, ["input"] = new JsonObject() },
            });
            var json = input.ToJsonString();
            foreach (var fragment in new[] { json[..(json.Length / 2)], json[(json.Length / 2)..] })
            {
                await Send("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = fragment } });
            }
        }

        await Send("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await Send("message_delta", new JsonObject
        {
            ["type"] = "message_delta", ["delta"] = new JsonObject { ["stop_reason"] = tool is null ? "end_turn" : "tool_use", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = 6 },
        });
        await Send("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static async Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        });
    }
}
