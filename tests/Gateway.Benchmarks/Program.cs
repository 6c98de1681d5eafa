using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Router.Gateway;
using Router.Gateway.OpenAi;

// Gateway overhead on loopback: a closed-loop load (C concurrent clients, each sending the next request when the
// previous one ends) first straight to a local OpenAI-protocol upstream, then through the gateway pinned to it.
// Usage: dotnet run -c Release --project tests/Gateway.Benchmarks -- [seconds=10] [concurrency=1,8] [stream=false] [cache=false]
// cache=true turns the response cache on (Router:Cache:Enabled): every gateway request after the first is a hit.
// Fault load (bounded, loopback): dotnet tests/Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll faults [seconds] [clients] [seed]
if (args is ["faults", .. var faultArgs])
{
    return await Gateway.Benchmarks.FaultLoad.RunAsync(faultArgs);
}

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var concurrencies = (args.Length > 1 ? args[1] : "1,8").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var stream = args.Length > 2 && bool.Parse(args[2]);
var cache = args.Length > 3 && bool.Parse(args[3]);

const string Answer = """{"id":"chatcmpl-bench","object":"chat.completion","created":1,"model":"bench-upstream","choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris. It has been the capital since the 10th century."},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":19,"total_tokens":33}}""";
var chunks = string.Concat(Enumerable.Range(0, 10).Select(i =>
    $"data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" w{i}\"}},\"finish_reason\":null}}]}}\n\n"))
    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":10,\"total_tokens\":24}}\n\ndata: [DONE]\n\n";

// 1. The upstream: a minimal Kestrel app with a canned answer (no model, so its own time is near zero).
var upBuilder = WebApplication.CreateSlimBuilder();
upBuilder.WebHost.UseUrls("http://127.0.0.1:0");
upBuilder.Logging.ClearProviders();
var upstream = upBuilder.Build();
upstream.MapPost("/v1/chat/completions", async context =>
{
    using var reader = new StreamReader(context.Request.Body);
    var body = await reader.ReadToEndAsync(context.RequestAborted);
    if (body.Contains("\"stream\":true", StringComparison.Ordinal))
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync(chunks, context.RequestAborted);
        return;
    }

    context.Response.ContentType = "application/json";
    await context.Response.WriteAsync(Answer, context.RequestAborted);
});
await upstream.StartAsync();
var upstreamUrl = Address(upstream);

// 2. The gateway, assembled as in Program.cs, with one arm on that upstream.
var gwBuilder = WebApplication.CreateBuilder();
gwBuilder.Configuration.Sources.Clear();
gwBuilder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Router:Arms:0:Name"] = "bench",
    ["Router:Arms:0:BaseUrl"] = upstreamUrl + "/v1",
    ["Router:Arms:0:InputPricePerMillion"] = "0.15",
    ["Router:Arms:0:OutputPricePerMillion"] = "0.6",
    ["Router:Cache:Enabled"] = cache ? "true" : "false",
});
gwBuilder.WebHost.UseUrls("http://127.0.0.1:0");
gwBuilder.Logging.ClearProviders();
gwBuilder.Services.AddRouterGateway(gwBuilder.Configuration);
var gateway = gwBuilder.Build();
gateway.UseOpenAiErrors();
gateway.MapOpenAiEndpoints();
await gateway.StartAsync();
var gatewayUrl = Address(gateway);

var request = Encoding.UTF8.GetBytes($$"""{"model":"bench","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"system","content":"Answer briefly."},{"role":"user","content":"What is the capital of France?"}]}""");
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseProxy = false });

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"load: closed loop, {seconds} s per run after a 2 s warm-up, {(stream ? "SSE stream (10 chunks + usage)" : "non-streaming JSON")}, body {request.Length} B{(cache ? ", response cache on (gateway rows: cache hits)" : "")}");
Console.WriteLine("target     conc  requests    req/s   p50 ms   p90 ms   p99 ms  max ms");
foreach (var concurrency in concurrencies)
{
    var direct = await RunAsync(upstreamUrl, concurrency);
    var via = await RunAsync(gatewayUrl, concurrency);
    Print("direct", concurrency, direct);
    Print("gateway", concurrency, via);
    Console.WriteLine($"overhead   {concurrency,4}  p50 +{Pct(via, 0.5) - Pct(direct, 0.5):F3} ms  p99 +{Pct(via, 0.99) - Pct(direct, 0.99):F3} ms");
}

await gateway.StopAsync();
await upstream.StopAsync();
return 0;

async Task<double[]> RunAsync(string baseUrl, int concurrency)
{
    var url = baseUrl + "/v1/chat/completions";
    await LoadAsync(url, concurrency, TimeSpan.FromSeconds(2), null);
    var samples = new List<double>[concurrency];
    await LoadAsync(url, concurrency, TimeSpan.FromSeconds(seconds), samples);
    var all = samples.SelectMany(s => s).ToArray();
    Array.Sort(all);
    return all;
}

async Task LoadAsync(string url, int concurrency, TimeSpan duration, List<double>[]? samples)
{
    var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var mine = new List<double>(100_000);
        while (Stopwatch.GetTimestamp() < end)
        {
            var start = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(request);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(url, content);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode || bytes.Length == 0)
            {
                throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
            }

            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        if (samples is not null)
        {
            samples[worker] = mine;
        }
    }));
}

static double Pct(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

void Print(string target, int concurrency, double[] s) => Console.WriteLine(
    $"{target,-9} {concurrency,4} {s.Length,9} {s.Length / (double)seconds,8:F0} {Pct(s, 0.5),8:F3} {Pct(s, 0.9),8:F3} {Pct(s, 0.99),8:F3} {s[^1],7:F2}");

static string Address(WebApplication app) =>
    app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
