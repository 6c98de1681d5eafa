using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Router.Gateway;
using Router.Gateway.Admin;
using Router.Gateway.OpenAi;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;

namespace Gateway.Benchmarks;

/// <summary>
/// A bounded load test with faults injected, loopback only: four arms ranked by price — "down" (connection refused),
/// "flaky" (20 % HTTP 500, 5 % no first byte within the timeout, 5 % streams cut mid-way), "shaky" (5 % HTTP 500)
/// and "solid" — behind a gateway with client keys, retries, breakers and fallback. Closed loop, C clients, half the
/// requests streamed. Every request is classified on the client and matched against the gateway's own record
/// (<see cref="IRequestObserver"/>) by request id: nothing may be lost or double-counted.
/// Usage: Gateway.Benchmarks faults [seconds=15] [concurrency=16] [seed=1]
/// </summary>
internal static class FaultLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;

        await using var flaky = await FaultyUpstream.StartAsync(seed, error: 0.20, stall: 0.05, cut: 0.05);
        await using var shaky = await FaultyUpstream.StartAsync(seed + 1, error: 0.05, stall: 0, cut: 0);
        await using var solid = await FaultyUpstream.StartAsync(seed + 2, error: 0, stall: 0, cut: 0);
        var down = RefusingUrl();

        const string AdminKey = "load-admin";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        var settings = new Dictionary<string, string?>
        {
            ["Router:AdminKey"] = AdminKey,
            ["Router:Resilience:FirstByteTimeout"] = "00:00:00.300",
            ["Router:Resilience:MaxRetries"] = "1",
            ["Router:Resilience:RetryBaseDelay"] = "00:00:00.020",
            ["Router:Resilience:BreakerMinimumThroughput"] = "10",
            ["Router:Resilience:BreakerFailureRatio"] = "0.5",
            ["Router:Resilience:BreakerSamplingDuration"] = "00:00:05",
            ["Router:Resilience:BreakerBreakDuration"] = "00:00:03",
        };
        var arms = new (string Name, string Url, double Price)[]
        {
            ("down", down, 0.05), ("flaky", flaky.BaseUrl, 0.1), ("shaky", shaky.BaseUrl, 0.5), ("solid", solid.BaseUrl, 2.0),
        };
        for (var i = 0; i < arms.Length; i++)
        {
            settings[$"Router:Arms:{i}:Name"] = arms[i].Name;
            settings[$"Router:Arms:{i}:BaseUrl"] = arms[i].Url;
            settings[$"Router:Arms:{i}:InputPricePerMillion"] = arms[i].Price.ToString(CultureInfo.InvariantCulture);
            settings[$"Router:Arms:{i}:OutputPricePerMillion"] = (arms[i].Price * 4).ToString(CultureInfo.InvariantCulture);
            settings[$"Router:Arms:{i}:TimeoutSeconds"] = "5";
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var ledger = new LedgerObserver();
        builder.Services.AddSingleton<IRequestObserver>(ledger);
        builder.Services.AddRouterGateway(builder.Configuration);
        var gateway = builder.Build();
        gateway.UseOpenAiErrors();
        gateway.MapOpenAiEndpoints();
        gateway.MapApiKeyAdminEndpoints();
        await gateway.StartAsync();
        var url = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseProxy = false }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var secret = await CreateKeyAsync(client, AdminKey);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var outcomes = new ConcurrentDictionary<string, int>();
        var ids = new ConcurrentDictionary<string, string>();
        var latencies = new ConcurrentBag<double>();
        var sent = 0;
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var n = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                var stream = (worker + n++) % 2 == 0;
                Interlocked.Increment(ref sent);
                var start = Stopwatch.GetTimestamp();
                var (kind, id) = await SendAsync(client, stream);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                outcomes.AddOrUpdate(kind, 1, (_, v) => v + 1);
                if (id is not null && !ids.TryAdd(id, kind))
                {
                    outcomes.AddOrUpdate("DUPLICATE request id", 1, (_, v) => v + 1);
                }
            }
        }));
        wall.Stop();

        // Observers run just after each response: give the last ones a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (ids.Keys.Any(id => !ledger.Seen.ContainsKey(id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var missing = ids.Keys.Count(id => !ledger.Seen.ContainsKey(id));
        var unknown = ledger.Seen.Values.Where(c => !ids.ContainsKey(c.RequestId)).ToList();
        var extra = unknown.Count;

        // Resets before headers carry no request id: they must match, one for one, gateway records of streams that
        // had started (first byte sent) and then failed.
        var explained = unknown.Count(c => c.Streamed && c.TimeToFirstByte is not null && c.Outcome != RequestOutcome.Succeeded);
        var resets = outcomes.GetValueOrDefault(ResetBeforeHeaders);
        var accounted = outcomes.Values.Sum();
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        var resilience = gateway.Services.GetRequiredService<ArmResilience>();

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"fault load: {seconds} s closed loop, {concurrency} clients, half streamed, seed {seed}; arms down (refused) < flaky (20% 500, 5% stall, 5% cut) < shaky (5% 500) < solid");
        Console.WriteLine($"requests sent: {sent}  ({sent / wall.Elapsed.TotalSeconds:F0}/s), answered and classified: {accounted}");
        foreach (var (kind, count) in outcomes.OrderByDescending(o => o.Value))
        {
            Console.WriteLine($"  {kind,-44} {count,7}");
        }

        Console.WriteLine($"gateway records: {ledger.Seen.Count}  missing vs client: {missing}  without client id: {extra} (started streams that failed: {explained}; client resets: {resets})");
        foreach (var record in unknown.Take(5))
        {
            Console.WriteLine($"  without client id: {record.RequestId} {record.Outcome} status {record.StatusCode} streamed={record.Streamed} arms={string.Join(">", record.AttemptedArms)} ttfb={record.TimeToFirstByte?.TotalMilliseconds:F1}ms");
        }

        Console.WriteLine("served by arm: " + string.Join(", ", ledger.ByArm.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}")));
        Console.WriteLine($"fallbacks: {ledger.Fallbacks}  upstream attempts: flaky={flaky.Count} shaky={shaky.Count} solid={solid.Count}");
        Console.WriteLine("circuits at end: " + string.Join(", ", resilience.States.Select(s => $"{s.Key}={s.Value}")));
        Console.WriteLine($"latency ms: p50 {Pct(sorted, 0.5):F1}  p90 {Pct(sorted, 0.9):F1}  p99 {Pct(sorted, 0.99):F1}  max {sorted[^1]:F1}");
        var lost = sent - accounted + missing + Math.Abs(extra - resets) + (extra - explained) + outcomes.GetValueOrDefault("DUPLICATE request id");
        Console.WriteLine(lost == 0 ? "NOTHING LOST: every request answered once and recorded once." : $"LOST OR DOUBLE-COUNTED: {lost}");
        await gateway.StopAsync();
        return lost == 0 && !outcomes.Keys.Any(k => k.StartsWith("UNEXPECTED", StringComparison.Ordinal)) ? 0 : 1;
    }

    private const string ResetBeforeHeaders = "stream cut, reset before headers left";

    private static async Task<(string Kind, string? Id)> SendAsync(HttpClient client, bool stream)
    {
        var body = $$"""{"model":"auto","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Name a prime number."}]}""";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
            HttpResponseMessage sentResponse;
            try
            {
                sentResponse = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException) when (stream)
            {
                // The gateway had started the stream (headers queued with the first chunk) when the upstream broke and it
                // aborted the connection before those bytes left: to the client this is a reset with no headers.
                return (ResetBeforeHeaders, null);
            }

            using var response = sentResponse;
            var id = response.Headers.TryGetValues("x-router-request-id", out var values) ? values.First() : null;
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException)
            {
                return ("200 stream cut mid-way (no retry after 1st byte)", id);
            }

            if (response.StatusCode == HttpStatusCode.OK)
            {
                var fallback = response.Headers.Contains("x-router-fallback") ? " via fallback" : "";
                if (stream)
                {
                    return text.Contains("data: [DONE]", StringComparison.Ordinal)
                        ? ("200 stream complete" + fallback, id)
                        : ("200 stream cut mid-way (no retry after 1st byte)", id);
                }

                using var json = JsonDocument.Parse(text);
                return json.RootElement.TryGetProperty("choices", out _) ? ("200 JSON complete" + fallback, id) : ("UNEXPECTED 200 body", id);
            }

            using var error = JsonDocument.Parse(text);
            var code = error.RootElement.GetProperty("error").GetProperty("code").GetString();
            return ($"{(int)response.StatusCode} {code}", id);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
        {
            return ("UNEXPECTED " + ex.GetType().Name + ": " + (ex.InnerException?.Message ?? ex.Message), null);
        }
    }

    private static async Task<string> CreateKeyAsync(HttpClient client, string adminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/keys")
        {
            Content = new StringContent("""{"name":"load","requestsPerMinute":1000000}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        using var response = await client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private static string RefusingUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }

    private static double Pct(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed class LedgerObserver : IRequestObserver
    {
        private int _fallbacks;

        public ConcurrentDictionary<string, RequestCompletion> Seen { get; } = new();

        public ConcurrentDictionary<string, int> ByArm { get; } = new();

        public int Fallbacks => Volatile.Read(ref _fallbacks);

        public ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
        {
            if (!Seen.TryAdd(completion.RequestId, completion))
            {
                throw new InvalidOperationException("recorded twice: " + completion.RequestId);
            }

            if (completion.Outcome == RequestOutcome.Succeeded)
            {
                ByArm.AddOrUpdate(completion.Arm ?? "none", 1, (_, v) => v + 1);
            }

            if (completion.FallbackUsed)
            {
                Interlocked.Increment(ref _fallbacks);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A canned OpenAI-protocol upstream that injects faults with seeded probabilities.</summary>
    private sealed class FaultyUpstream : IAsyncDisposable
    {
        private const string Answer = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Seven."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}""";
        private const string Chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Seven\"},\"finish_reason\":null}]}\n\n";
        private const string Usage = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14}}\n\n";
        private readonly WebApplication _app;
        private readonly Random _random;
        private readonly Lock _lock = new();
        private int _count;

        private FaultyUpstream(WebApplication app, int seed)
        {
            _app = app;
            _random = new Random(seed);
        }

        public string BaseUrl { get; private set; } = "";

        public int Count => Volatile.Read(ref _count);

        public static async Task<FaultyUpstream> StartAsync(int seed, double error, double stall, double cut)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var upstream = new FaultyUpstream(app, seed);
            app.MapPost("/v1/chat/completions", async context =>
            {
                Interlocked.Increment(ref upstream._count);
                double roll;
                lock (upstream._lock)
                {
                    roll = upstream._random.NextDouble();
                }

                var aborted = context.RequestAborted;
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(aborted);
                var isStream = body.Contains("\"stream\":true", StringComparison.Ordinal);
                try
                {
                    if (roll < error)
                    {
                        context.Response.StatusCode = 500;
                        await context.Response.WriteAsync("""{"error":{"message":"injected","type":"server_error","param":null,"code":null}}""", aborted);
                        return;
                    }

                    if (roll < error + stall)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), aborted); // past the gateway's 300 ms first-byte timeout
                    }

                    if (isStream)
                    {
                        context.Response.ContentType = "text/event-stream";
                        await context.Response.WriteAsync(Chunk, aborted);
                        await context.Response.Body.FlushAsync(aborted);
                        if (roll >= error + stall && roll < error + stall + cut)
                        {
                            await Task.Delay(5, aborted);
                            context.Features.Get<IHttpRequestLifetimeFeature>()!.Abort();
                            return;
                        }

                        await context.Response.WriteAsync(Chunk + Usage + "data: [DONE]\n\n", aborted);
                        return;
                    }

                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(Answer, aborted);
                }
                catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                {
                    // The gateway gave up (first-byte timeout).
                }
            });
            await app.StartAsync();
            upstream.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1";
            return upstream;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
