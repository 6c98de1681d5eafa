using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Router.Core.Arms;
using Router.Training.Data;

namespace Router.Training.Replay;

/// <summary>
/// An OpenAI-compatible upstream that answers from recorded data (<c>router serve-replay</c>): every arm of the data is
/// a model id; <c>POST /v1/chat/completions</c> (non-streaming, and SSE streaming with usage in the last chunk when
/// <c>stream_options.include_usage</c> is set) answers a known prompt with that model's recorded response and usage
/// after a simulated latency (time to first token + completion tokens / tokens per second, per model from the arms
/// file); an unknown prompt gets a marked fallback answer (text prefixed <c>[replay fallback]</c>, header
/// <c>x-replay-fallback: true</c>). <c>GET /v1/models</c> lists the models. Errors use the OpenAI error envelope.
/// </summary>
public static class ReplayServer
{
    /// <summary>Prefix of every fallback answer.</summary>
    public const string FallbackPrefix = "[replay fallback]";

    /// <summary>Builds the app; <paramref name="urls"/> like <c>http://127.0.0.1:0</c>.</summary>
    public static WebApplication Build(ReplayStore store, IReadOnlyList<ArmDefinition> arms, ReplayOptions options, string urls, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A failed start (port in use) surfaces as the exception the CLI reports in one line; the host's own log of it
        // would print the stack trace as well.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        var timeProvider = time ?? TimeProvider.System;
        builder.Services.AddSingleton(timeProvider);
        var app = builder.Build();
        var created = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var speeds = store.Models.ToDictionary(m => m, m =>
        {
            if (options.Speeds.TryGetValue(m, out var s))
            {
                return s;
            }

            var arm = arms.FirstOrDefault(a => a.Name == m);
            return arm is null ? (options.DefaultTimeToFirstTokenSeconds, options.DefaultTokensPerSecond) : (arm.TimeToFirstTokenSeconds, arm.TokensPerSecond);
        }, StringComparer.Ordinal);

        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = store.Models.Select(m => new { id = m, @object = "model", created, owned_by = "replay" }),
        }));

        app.MapPost("/v1/chat/completions", async (HttpContext http, TimeProvider clock) =>
        {
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            }
            catch (JsonException e)
            {
                return Error(400, "invalid_request_error", "request body is not valid JSON: " + e.Message.Split(". ")[0], null);
            }

            if (body is not JsonObject req || req["model"]?.GetValueKind() != JsonValueKind.String || req["messages"] is not JsonArray messages)
            {
                return Error(400, "invalid_request_error", "'model' (string) and 'messages' (array) are required", null);
            }

            var model = req["model"]!.GetValue<string>();
            if (!speeds.TryGetValue(model, out var speed))
            {
                return Error(404, "invalid_request_error", $"The model '{model}' does not exist (serve-replay serves: {string.Join(", ", store.Models)})", "model");
            }

            var prompt = PromptOf(messages);
            var recorded = store.Find(model, prompt);
            var text = recorded?.Response ?? $"{FallbackPrefix} no recorded answer of {model} for this prompt.";
            var promptTokens = recorded?.PromptTokens ?? TokenCounter.Count(prompt);
            var completionTokens = recorded?.CompletionTokens ?? TokenCounter.Count(text);
            http.Response.Headers["x-replay-fallback"] = recorded is null ? "true" : "false";
            var id = "chatcmpl-replay-" + Guid.NewGuid().ToString("N")[..20];
            var stream = req["stream"]?.GetValueKind() == JsonValueKind.True;
            var includeUsage = req["stream_options"]?["include_usage"]?.GetValueKind() == JsonValueKind.True;
            var ttft = TimeSpan.FromSeconds(speed.Item1 * options.LatencyScale);
            var perToken = TimeSpan.FromSeconds(options.LatencyScale / Math.Max(1e-6, speed.Item2));
            var usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens };
            var ct = http.RequestAborted;
            if (!stream)
            {
                await Task.Delay(ttft + perToken * completionTokens, clock, ct);
                return Results.Json(new
                {
                    id,
                    @object = "chat.completion",
                    created = clock.GetUtcNow().ToUnixTimeSeconds(),
                    model,
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
                    usage,
                });
            }

            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            var createdAt = clock.GetUtcNow().ToUnixTimeSeconds();
            await Task.Delay(ttft, clock, ct);
            await Sse(http, Chunk(id, createdAt, model, new { role = "assistant", content = "" }, null), ct);
            var pieces = Pieces(text, Math.Max(1, completionTokens));
            foreach (var (piece, tokens) in pieces)
            {
                await Task.Delay(perToken * tokens, clock, ct);
                await Sse(http, Chunk(id, createdAt, model, new { content = piece }, null), ct);
            }

            await Sse(http, Chunk(id, createdAt, model, new { }, "stop"), ct);
            if (includeUsage)
            {
                await Sse(http, new { id, @object = "chat.completion.chunk", created = createdAt, model, choices = Array.Empty<object>(), usage }, ct);
            }

            await http.Response.WriteAsync("data: [DONE]\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            return Results.Empty;
        });

        app.MapFallback(() => Error(404, "invalid_request_error", "unknown endpoint (serve-replay has GET /v1/models and POST /v1/chat/completions)", null));
        return app;
    }

    /// <summary>The text the store is keyed by: the last user message's text.</summary>
    public static string PromptOf(JsonArray messages)
    {
        foreach (var m in messages.Reverse())
        {
            if (m?["role"]?.GetValueKind() == JsonValueKind.String && m["role"]!.GetValue<string>() == "user")
            {
                return ContentText(m["content"]);
            }
        }

        return messages.Count > 0 ? ContentText(messages[^1]?["content"]) : "";
    }

    private static string ContentText(JsonNode? content) => content switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["type"]?.GetValueKind() == JsonValueKind.String && p["type"]!.GetValue<string>() == "text" && p["text"] is JsonValue t ? t.GetValue<string>() : "")),
        _ => "",
    };

    // Splits the answer into ~8 pieces (or fewer for short answers), each with its share of the completion tokens.
    private static List<(string Piece, int Tokens)> Pieces(string text, int completionTokens)
    {
        var count = Math.Clamp(text.Length / 16, 1, 8);
        var list = new List<(string, int)>();
        var size = (int)Math.Ceiling(text.Length / (double)count);
        for (var i = 0; i < count; i++)
        {
            var start = Math.Min(text.Length, i * size);
            var piece = text.Substring(start, Math.Min(size, text.Length - start));
            list.Add((piece, completionTokens * (i + 1) / count - completionTokens * i / count));
        }

        return list;
    }

    private static object Chunk(string id, long created, string model, object delta, string? finish) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model,
        choices = new[] { new { index = 0, delta, finish_reason = finish } },
    };

    private static async Task Sse(HttpContext http, object payload, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(payload);
        await http.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private static IResult Error(int status, string type, string message, string? param) =>
        Results.Json(new { error = new { message, type, param, code = status == 404 ? "model_not_found" : (string?)null } }, statusCode: status);
}
