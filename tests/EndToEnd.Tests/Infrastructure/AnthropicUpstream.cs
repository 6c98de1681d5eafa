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
/// <c>x-api-key</c> (401), a missing <c>anthropic-version</c> or <c>max_tokens</c> (400) in Anthropic's error envelope;
/// answers a text message or a <c>tool_use</c> (when tools are sent and <see cref="AnswerToolUse"/>), as JSON or as the
/// documented SSE sequence; 529 <c>overloaded_error</c> on demand.
/// </summary>
public sealed class AnthropicUpstream : IAsyncDisposable
{
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

        var tool = AnswerToolUse && body["tools"] is JsonArray { Count: > 0 } tools ? tools[0]!["name"]!.GetValue<string>() : null;
        var model = body["model"]!.GetValue<string>();
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(context, model, tool);
            return;
        }

        JsonNode block = tool is null
            ? new JsonObject { ["type"] = "text", ["text"] = "Hello from Claude." }
            : new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_01", ["name"] = tool, ["input"] = new JsonObject { ["city"] = "Paris" } };
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["id"] = "msg_test01", ["type"] = "message", ["role"] = "assistant", ["model"] = model,
            ["content"] = new JsonArray(block), ["stop_reason"] = tool is null ? "end_turn" : "tool_use", ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 21, ["output_tokens"] = 5 },
        });
    }

    private static async Task StreamAsync(HttpContext context, string model, string? tool)
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
            await Send("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "{\"city\":" } });
            await Send("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "\"Paris\"}" } });
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
