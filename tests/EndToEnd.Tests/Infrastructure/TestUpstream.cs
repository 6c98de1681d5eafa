using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
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
/// A local upstream speaking the OpenAI protocol on a loopback port (real Kestrel): chat completions (JSON and SSE),
/// completions, embeddings. Records what it received; behaviour is set per test.
/// </summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The OpenAI base URL (ends with <c>/v1</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests received, in order.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>The words of the answer (one SSE chunk per word).</summary>
    public string[] Words { get; set; } = ["Hello", " from", " the", " test", " upstream."];

    /// <summary>When set, every request fails with this status and <see cref="ErrorMessage"/>.</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>The error message sent with <see cref="FailWithStatus"/>; <c>{auth}</c> is replaced by the Authorization header received.</summary>
    public string ErrorMessage { get; set; } = "The upstream is unhappy.";

    /// <summary>Headers added to every response (a misbehaving or hostile upstream).</summary>
    public Dictionary<string, string> ResponseHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Delay before the response starts.</summary>
    public TimeSpan FirstByteDelay { get; set; }

    /// <summary>A <c>Retry-After</c> header value sent with <see cref="FailWithStatus"/>.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>When set, every request is answered 200 with this Content-Type and body (a misbehaving upstream).</summary>
    public (string ContentType, string Body)? SuccessOverride { get; set; }

    /// <summary>When set, every request is answered with this status, Content-Type and body bytes (e.g. not UTF-8).</summary>
    public (int Status, string ContentType, byte[] Body)? RawAnswer { get; set; }

    /// <summary>SSE comments (<c>: keep-alive</c>) a stream sends before its first event, <see cref="KeepAliveInterval"/> apart.</summary>
    public int KeepAlives { get; set; }

    /// <summary>The time between two <see cref="KeepAlives"/>.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Delay between stream chunks.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>When set, the stream waits for it before sending its last content chunk.</summary>
    public TaskCompletionSource? HoldLastChunk { get; set; }

    /// <summary>Whether usage is reported (JSON <c>usage</c>; SSE usage chunk when asked).</summary>
    public bool ReportUsage { get; set; } = true;

    /// <summary>Prompt tokens reported.</summary>
    public int PromptTokens { get; set; } = 11;

    /// <summary>Completes when a stream has sent its last chunk.</summary>
    public TaskCompletionSource StreamFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the upstream sees a request aborted by its client (the gateway).</summary>
    public TaskCompletionSource AbortObserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts an upstream on 127.0.0.1 and a free port.</summary>
    public static async Task<TestUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new TestUpstream(app);
        app.MapPost("/v1/{**operation}", upstream.HandleAsync);
        app.MapPost("/openai/deployments/{deployment}/{**operation}", (HttpContext context, string operation) => upstream.HandleAsync(context, operation));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return upstream;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        HoldLastChunk?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string operation)
    {
        var aborted = context.RequestAborted;
        using var registration = aborted.Register(() => AbortObserved.TrySetResult());
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(aborted);
        var body = JsonNode.Parse(text)!.AsObject();
        Received.Enqueue(new ReceivedRequest(
            operation,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body));
        try
        {
            foreach (var (name, value) in ResponseHeaders)
            {
                context.Response.Headers[name] = value;
            }

            if (FirstByteDelay > TimeSpan.Zero)
            {
                await Task.Delay(FirstByteDelay, aborted);
            }

            if (FailWithStatus is { } status)
            {
                context.Response.StatusCode = status;
                if (RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = RetryAfter;
                }

                var message = ErrorMessage.Replace("{auth}", context.Request.Headers.Authorization.ToString(), StringComparison.Ordinal);
                await context.Response.WriteAsJsonAsync(new { error = new { message, type = "upstream_test_error", param = (string?)null, code = "test_code" } }, aborted);
                return;
            }

            if (RawAnswer is { } raw)
            {
                context.Response.StatusCode = raw.Status;
                context.Response.ContentType = raw.ContentType;
                await context.Response.Body.WriteAsync(raw.Body, aborted);
                return;
            }

            if (SuccessOverride is { } fixedAnswer)
            {
                context.Response.ContentType = fixedAnswer.ContentType;
                await context.Response.WriteAsync(fixedAnswer.Body, aborted);
                return;
            }

            var model = body["model"]!.GetValue<string>();
            if (operation == "embeddings")
            {
                await context.Response.WriteAsJsonAsync(new
                {
                    @object = "list",
                    data = new[] { new { @object = "embedding", index = 0, embedding = new[] { 0.6f, 0.8f } } },
                    model,
                    usage = new { prompt_tokens = PromptTokens, total_tokens = PromptTokens },
                }, aborted);
                return;
            }

            var isChat = operation == "chat/completions";
            if (body["stream"]?.GetValue<bool>() == true)
            {
                await StreamAsync(context, model, isChat, body["stream_options"]?["include_usage"]?.GetValue<bool>() == true, aborted);
                return;
            }

            var answer = string.Concat(Words);
            var response = new JsonObject
            {
                ["id"] = "chatcmpl-test",
                ["object"] = isChat ? "chat.completion" : "text_completion",
                ["created"] = 1,
                ["model"] = model,
                ["choices"] = new JsonArray(isChat
                    ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer }, ["finish_reason"] = "stop" }
                    : new JsonObject { ["index"] = 0, ["text"] = answer, ["finish_reason"] = "stop" }),
            };
            if (ReportUsage)
            {
                response["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = Words.Length, ["total_tokens"] = PromptTokens + Words.Length };
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.ToJsonString(), aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            AbortObserved.TrySetResult();
        }
    }

    private async Task StreamAsync(HttpContext context, string model, bool isChat, bool includeUsage, CancellationToken aborted)
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync(aborted);
        await context.Response.Body.FlushAsync(aborted); // the headers go out now (StartAsync alone does not send them)
        for (var i = 0; i < KeepAlives; i++)
        {
            await context.Response.WriteAsync(": keep-alive\n\n", aborted);
            await context.Response.Body.FlushAsync(aborted);
            await Task.Delay(KeepAliveInterval, aborted);
        }

        for (var i = 0; i < Words.Length; i++)
        {
            if (i == Words.Length - 1 && HoldLastChunk is { } hold)
            {
                await hold.Task.WaitAsync(aborted);
            }

            var choice = isChat
                ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = Words[i] }, ["finish_reason"] = null }
                : new JsonObject { ["index"] = 0, ["text"] = Words[i], ["finish_reason"] = null };
            await WriteEventAsync(context, Chunk(model, isChat, choice), aborted);
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, aborted);
            }
        }

        var last = isChat
            ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = "stop" }
            : new JsonObject { ["index"] = 0, ["text"] = "", ["finish_reason"] = "stop" };
        await WriteEventAsync(context, Chunk(model, isChat, last), aborted);
        if (includeUsage && ReportUsage)
        {
            var usage = Chunk(model, isChat, null);
            usage["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = Words.Length, ["total_tokens"] = PromptTokens + Words.Length };
            await WriteEventAsync(context, usage, aborted);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", aborted);
        await context.Response.Body.FlushAsync(aborted);
        StreamFinished.TrySetResult();
    }

    private static JsonObject Chunk(string model, bool isChat, JsonObject? choice) => new()
    {
        ["id"] = "chatcmpl-test",
        ["object"] = isChat ? "chat.completion.chunk" : "text_completion",
        ["created"] = 1,
        ["model"] = model,
        ["choices"] = choice is null ? new JsonArray() : new JsonArray(choice),
    };

    private static async Task WriteEventAsync(HttpContext context, JsonObject json, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync("data: " + json.ToJsonString(new JsonSerializerOptions()) + "\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>One request as the upstream saw it.</summary>
public sealed record ReceivedRequest(string Operation, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, JsonObject Body);
