using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests.Hardening;

/// <summary>The fault an upstream injects into one request.</summary>
public enum Fault
{
    /// <summary>A normal answer (JSON, or SSE when asked).</summary>
    None,

    /// <summary>HTTP 500 with an OpenAI error body.</summary>
    Status500,

    /// <summary>Waits <see cref="FaultUpstream.Delay"/> before any byte.</summary>
    SlowFirstByte,

    /// <summary>Streams two chunks, then aborts the connection.</summary>
    CutStream,

    /// <summary>Streams one chunk per <see cref="FaultUpstream.Delay"/> for a long time.</summary>
    SlowDrip,
}

/// <summary>
/// A loopback upstream speaking enough of the OpenAI chat protocol (JSON and SSE, with usage) to inject faults;
/// <see cref="Plan"/> picks the fault of the n-th request (0-based).
/// </summary>
public sealed class FaultUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private FaultUpstream(WebApplication app) => _app = app;

    /// <summary>The OpenAI base URL (ends with /v1).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Fault of request n (default: none).</summary>
    public Func<int, Fault> Plan { get; set; } = _ => Fault.None;

    /// <summary>Delay of <see cref="Fault.SlowFirstByte"/> and per chunk of <see cref="Fault.SlowDrip"/>.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests received.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts on 127.0.0.1 and a free port.</summary>
    public static async Task<FaultUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FaultUpstream(app);
        app.MapPost("/v1/chat/completions", upstream.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return upstream;
    }

    /// <summary>A loopback URL where nothing listens (connection refused).</summary>
    public static Uri RefusingUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/v1");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _count) - 1;
        var aborted = context.RequestAborted;
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(aborted);
        var stream = body.Contains("\"stream\":true", StringComparison.Ordinal);
        try
        {
            switch (Plan(n))
            {
                case Fault.Status500:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("""{"error":{"message":"boom","type":"server_error","param":null,"code":null}}""", aborted);
                    return;
                case Fault.SlowFirstByte:
                    await Task.Delay(Delay, aborted);
                    break;
                case Fault.CutStream:
                    context.Response.ContentType = "text/event-stream";
                    await context.Response.WriteAsync(Chunk("Hel") + Chunk("lo"), aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    await Task.Delay(50, aborted);
                    context.Features.Get<IHttpRequestLifetimeFeature>()!.Abort();
                    return;
                case Fault.SlowDrip:
                    context.Response.ContentType = "text/event-stream";
                    for (var i = 0; i < 1000; i++)
                    {
                        await context.Response.WriteAsync(Chunk("drip "), aborted);
                        await context.Response.Body.FlushAsync(aborted);
                        await Task.Delay(Delay, aborted);
                    }

                    return;
            }

            if (stream)
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(Chunk("Hello") + Chunk(" there") + UsageChunk() + "data: [DONE]\n\n", aborted);
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}
                """, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The gateway hung up (timeout or client cancel).
        }
    }

    private static string Chunk(string text) =>
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n";

    private static string UsageChunk() =>
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}\n\n";
}
