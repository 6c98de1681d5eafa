using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Diagnostics.Metrics;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using Router.Gateway.Caching;
using Router.Gateway.Telemetry;
using Router.Gateway.Usage;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests;

/// <summary>
/// The response cache (<c>Router:Cache</c>) on real Kestrel in front of counting upstreams: hits make no upstream
/// call and return the stored body; keys, knobs and Cache-Control shape what is read and stored; errors, streams and
/// oversized answers are never stored. Each test waits for the first request's observers before repeating it: the
/// answer is stored after the response ends and before the observers run.
/// </summary>
public sealed class ResponseCacheTests : IAsyncLifetime
{
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"What is the capital of France?"}]}""";
    private TestUpstream _cheap = null!;
    private TestUpstream _premium = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _cheap = await TestUpstream.StartAsync();
        _premium = await TestUpstream.StartAsync();
        _cheap.Words = ["Paris", "."];
        _premium.Words = ["Premium", " Paris."];
        _gateway = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _cheap.DisposeAsync();
        await _premium.DisposeAsync();
    }

    [Fact]
    public async Task CompleteChat_SecondIdenticalRequest_IsAHitWithoutUpstreamCallSameBodyAndZeroCost()
    {
        var client = new ChatClient("auto", new ApiKeyCredential("client-key"), Options());
        ChatMessage[] messages = [new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")];

        var first = await client.CompleteChatAsync(messages);
        var firstRaw = first.GetRawResponse();
        var firstId = RawHeader(firstRaw, "x-router-request-id");
        Assert.Equal("miss", RawHeader(firstRaw, "x-router-cache"));
        var stored = await _gateway.Observer.WaitForAsync(firstId);
        Assert.Equal(RequestOutcome.Succeeded, stored.Outcome);
        Assert.Equal(ResponseCacheStatus.Miss, stored.Cache);

        var second = await client.CompleteChatAsync(messages);
        var secondRaw = second.GetRawResponse();

        Assert.Equal("hit", RawHeader(secondRaw, "x-router-cache"));
        Assert.Single(_cheap.Received);
        Assert.Empty(_premium.Received);
        Assert.Equal("Paris.", second.Value.Content[0].Text);
        Assert.Equal(firstRaw.Content.ToString(), secondRaw.Content.ToString());
        Assert.Equal(200, secondRaw.Status);
        Assert.Equal("cheap", RawHeader(secondRaw, "x-router-arm"));
        Assert.Equal("cheapest", RawHeader(secondRaw, "x-router-policy"));
        var secondId = RawHeader(secondRaw, "x-router-request-id");
        Assert.StartsWith("req_", secondId, StringComparison.Ordinal);
        Assert.NotEqual(firstId, secondId);

        var hit = await _gateway.Observer.WaitForAsync(secondId);
        Assert.Equal(RequestOutcome.CacheHit, hit.Outcome);
        Assert.Equal(ResponseCacheStatus.Hit, hit.Cache);
        Assert.Equal("cheap", hit.Arm);
        Assert.Equal(0, hit.CostUsd);
        Assert.Equal(0, hit.PromptTokens + hit.CompletionTokens);
        Assert.Empty(hit.AttemptedArms);
        Assert.True(stored.CostUsd > 0);
    }

    [Fact]
    public async Task GenerateEmbedding_SecondIdenticalRequest_IsAHit()
    {
        var client = new EmbeddingClient("embedder", new ApiKeyCredential("k"), Options());

        var first = await client.GenerateEmbeddingAsync("hello");
        await _gateway.Observer.WaitForAsync(RawHeader(first.GetRawResponse(), "x-router-request-id"));
        var second = await client.GenerateEmbeddingAsync("hello");

        Assert.Equal("miss", RawHeader(first.GetRawResponse(), "x-router-cache"));
        Assert.Equal("hit", RawHeader(second.GetRawResponse(), "x-router-cache"));
        Assert.Equal([0.6f, 0.8f], second.Value.ToFloats().ToArray());
        Assert.Equal("embedder", RawHeader(second.GetRawResponse(), "x-router-arm"));
        Assert.Equal("pinned", RawHeader(second.GetRawResponse(), "x-router-policy"));
        Assert.Single(_cheap.Received, r => r.Operation == "embeddings");
    }

    [Fact]
    public async Task ApiKeys_AnotherKeysIdenticalRequest_IsAMiss()
    {
        var (_, secretA) = await CreateKeyAsync(_gateway, new { name = "a" });
        var (_, secretB) = await CreateKeyAsync(_gateway, new { name = "b" });

        var (a1, _) = await SendAsync(secretA);
        var (a2, _) = await SendAsync(secretA);
        var (b1, _) = await SendAsync(secretB);
        var (b2, _) = await SendAsync(secretB);

        Assert.Equal(["miss", "hit", "miss", "hit"], new[] { a1, a2, b1, b2 });
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task ApiKeys_RateLimitStillAppliesToHits()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "limited", requestsPerMinute = 2 });

        var (first, _) = await SendAsync(secret);
        var (second, _) = await SendAsync(secret);
        using var third = await _gateway.Http.SendAsync(Request(Body, secret));

        Assert.Equal(["miss", "hit"], new[] { first, second });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Single(_cheap.Received);
    }

    [Fact]
    public async Task ApiKeys_InvalidKey_IsRefusedEvenWhenAnIdenticalAnswerIsStored()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "a" });
        await SendAsync(secret);

        using var refused = await _gateway.Http.SendAsync(Request(Body, "sk-router-not-a-key-000000000000000000000000"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.False(refused.Headers.Contains("x-router-cache"));
    }

    [Fact]
    public async Task CacheControlNoStore_NeitherReadsNorStores()
    {
        var (noStore, _) = await SendAsync(cacheControl: "no-store");
        var (afterNoStore, _) = await SendAsync();
        var (hit, _) = await SendAsync();
        var (noStoreOverEntry, _) = await SendAsync(cacheControl: "no-store");

        Assert.Equal(["bypass", "miss", "hit", "bypass"], new[] { noStore, afterNoStore, hit, noStoreOverEntry });
        Assert.Equal(3, _cheap.Received.Count);
    }

    [Fact]
    public async Task CacheControlNoCache_GoesUpstreamAndStoresTheFreshAnswer()
    {
        var (first, oldBody) = await SendAsync();
        _cheap.Words = ["Paris", " (fresh)."];
        var (refreshed, newBody) = await SendAsync(cacheControl: "no-cache");
        var (hit, hitBody) = await SendAsync();

        Assert.Equal(["miss", "miss", "hit"], new[] { first, refreshed, hit });
        Assert.Contains("Paris.", oldBody, StringComparison.Ordinal);
        Assert.Contains("Paris (fresh).", newBody, StringComparison.Ordinal);
        Assert.Equal(newBody, hitBody);
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task Stream_BypassesTheCache()
    {
        var stream = Body.Replace("\"model\":\"auto\"", "\"model\":\"auto\",\"stream\":true", StringComparison.Ordinal);

        var (first, firstBody) = await SendAsync(body: stream);
        var (second, _) = await SendAsync(body: stream);

        Assert.Equal(["bypass", "bypass"], new[] { first, second });
        Assert.Contains("data: [DONE]", firstBody, StringComparison.Ordinal);
        Assert.Equal(2, _cheap.Received.Count);
        var completions = await _gateway.Observer.WaitForCountAsync(2);
        Assert.All(completions, c => Assert.Equal(ResponseCacheStatus.Bypass, c.Cache));
    }

    [Fact]
    public async Task DebugHeader_BypassesTheCache()
    {
        await SendAsync();
        using var request = Request(Body);
        request.Headers.Add("x-router-debug", "1");

        using var response = await _gateway.Http.SendAsync(request);

        Assert.Equal("bypass", Header(response, "x-router-cache"));
        Assert.NotEmpty(Header(response, "x-router-decision"));
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task PinnedModelAndAuto_AreDifferentEntries()
    {
        var (auto, _) = await SendAsync();
        var (pinned, _) = await SendAsync(body: Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal));
        var (pinnedAgain, _) = await SendAsync(body: Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal));

        Assert.Equal(["miss", "miss", "hit"], new[] { auto, pinned, pinnedAgain });
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task RoutingKnobHeader_MakesADifferentEntry()
    {
        var (plain, _) = await SendAsync();
        using var request = Request(Body);
        request.Headers.Add("x-router-lambda", "5");
        using var withKnob = await _gateway.Http.SendAsync(request);
        await _gateway.Observer.WaitForAsync(Header(withKnob, "x-router-request-id"));
        using var again = Request(Body);
        again.Headers.Add("x-router-lambda", "5");
        using var withKnobAgain = await _gateway.Http.SendAsync(again);

        Assert.Equal("miss", plain);
        Assert.Equal("miss", Header(withKnob, "x-router-cache"));
        Assert.Equal("hit", Header(withKnobAgain, "x-router-cache"));
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task UpstreamError_IsNotStored_NextIdenticalRequestGoesUpstream()
    {
        var pinned = Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal);
        _cheap.FailWithStatus = 400;
        using (var failed = await _gateway.Http.SendAsync(Request(pinned)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
            Assert.Equal("miss", Header(failed, "x-router-cache"));
            await _gateway.Observer.WaitForAsync(Header(failed, "x-router-request-id"));
        }

        _cheap.FailWithStatus = null;
        var (retried, body) = await SendAsync(body: pinned);
        var (hit, _) = await SendAsync(body: pinned);

        Assert.Equal(["miss", "hit"], new[] { retried, hit });
        Assert.Contains("Paris.", body, StringComparison.Ordinal);
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task InvalidSuccessResponse_IsNotStored()
    {
        var pinned = Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal);
        _cheap.SuccessOverride = ("application/json", """{"error":{"message":"overloaded","type":"server_error"}}""");
        using (var invalid = await _gateway.Http.SendAsync(Request(pinned)))
        {
            Assert.Equal(HttpStatusCode.BadGateway, invalid.StatusCode);
            await _gateway.Observer.WaitForAsync(Header(invalid, "x-router-request-id"));
        }

        var calledWhileInvalid = _cheap.Received.Count; // the pinned arm's retry included
        _cheap.SuccessOverride = null;
        var (next, body) = await SendAsync(body: pinned);
        var (hit, _) = await SendAsync(body: pinned);

        Assert.Equal(["miss", "hit"], new[] { next, hit });
        Assert.Contains("Paris.", body, StringComparison.Ordinal);
        Assert.Equal(calledWhileInvalid + 1, _cheap.Received.Count);
    }

    [Fact]
    public async Task CompressedAnswer_IsPassedOnWithItsEncodingButNotStored()
    {
        // The gateway asks upstreams for identity, but one may compress anyway. The client gets the bytes with their
        // Content-Encoding; the cache keeps no response headers, so a stored copy would be served as plain JSON that
        // is gzip. (Over 8 KB compressed, so the first-bytes check has no whole body to judge.)
        var random = new Random(7);
        var noise = new byte[12_000];
        random.NextBytes(noise);
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "chatcmpl-gz",
            @object = "chat.completion",
            created = 1,
            model = "cheap",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = Convert.ToBase64String(noise) }, finish_reason = "stop" } },
        });
        var compressed = Gzip(json);
        Assert.True(compressed.Length > 8192);
        _cheap.RawAnswer = (200, "application/json", compressed);
        _cheap.ResponseHeaders["Content-Encoding"] = "gzip";
        var pinned = Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal);

        foreach (var expected in new[] { "miss", "miss" })
        {
            using var response = await _gateway.Http.SendAsync(Request(pinned));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, Header(response, "x-router-cache"));
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Equal(compressed, await response.Content.ReadAsByteArrayAsync());
            await _gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        }

        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task AnswerOverMaxEntryBytes_IsPassedOnWholeButNotStored()
    {
        await using var gateway = await StartAsync(new Dictionary<string, string?> { ["Router:Cache:MaxEntryBytes"] = "1024" });
        _cheap.Words = [.. Enumerable.Repeat("Paris is the capital of France. ", 64)];

        var (first, firstBody) = await SendAsync(gateway: gateway);
        var (second, secondBody) = await SendAsync(gateway: gateway);

        Assert.Equal(["miss", "miss"], new[] { first, second });
        Assert.True(Encoding.UTF8.GetByteCount(firstBody) > 1024);
        Assert.Contains(string.Concat(_cheap.Words), firstBody, StringComparison.Ordinal);
        Assert.Equal(firstBody, secondBody);
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task Ttl_OnTheGatewaysClock_AnEntryIsServedUntilItExpires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var gateway = await StartAsync(new Dictionary<string, string?> { ["Router:Cache:Ttl"] = "00:10:00" }, time);

        var (stored, _) = await SendAsync(gateway: gateway);
        time.Advance(TimeSpan.FromMinutes(9));
        var (beforeExpiry, _) = await SendAsync(gateway: gateway);
        time.Advance(TimeSpan.FromMinutes(2));
        var (afterExpiry, _) = await SendAsync(gateway: gateway);

        Assert.Equal(["miss", "hit", "miss"], new[] { stored, beforeExpiry, afterExpiry });
        Assert.Equal(2, _cheap.Received.Count);
    }

    [Fact]
    public async Task CacheDisabled_NoHeaderAndEveryRequestGoesUpstream()
    {
        await using var gateway = await StartAsync(new Dictionary<string, string?> { ["Router:Cache:Enabled"] = "false" });

        using var first = await gateway.Http.SendAsync(Request(Body));
        await gateway.Observer.WaitForAsync(Header(first, "x-router-request-id"));
        using var second = await gateway.Http.SendAsync(Request(Body));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.False(first.Headers.Contains("x-router-cache"));
        Assert.False(second.Headers.Contains("x-router-cache"));
        Assert.Equal(2, _cheap.Received.Count);
        var completion = await gateway.Observer.WaitForAsync(Header(second, "x-router-request-id"));
        Assert.Equal(RequestOutcome.Succeeded, completion.Outcome);
        Assert.Null(completion.Cache);
    }

    [Fact]
    public async Task Metrics_CountHitMissAndBypass_AndAHitIsNoError()
    {
        var factory = _gateway.Services.GetRequiredService<IMeterFactory>();
        _ = _gateway.Services.GetRequiredService<GatewayMetrics>();
        using var cache = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.cache.requests");
        using var errors = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.errors");
        using var duration = new MetricCollector<double>(factory, GatewayTelemetry.SourceName, "router.request.duration");

        await SendAsync();
        await SendAsync();
        await SendAsync(cacheControl: "no-store");
        await EventuallyAsync(() => Task.FromResult(cache.GetMeasurementSnapshot().Count == 3), "three cache measurements");

        var results = cache.GetMeasurementSnapshot().Select(m => (string)m.Tags["result"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["bypass", "hit", "miss"], results);
        Assert.All(cache.GetMeasurementSnapshot(), m => Assert.Equal("ChatCompletions", m.Tags["operation"]));
        Assert.Empty(errors.GetMeasurementSnapshot());
        await EventuallyAsync(() => Task.FromResult(duration.GetMeasurementSnapshot().Count == 3), "three durations");
        Assert.Equal(["cache", "cheap", "cheap"], duration.GetMeasurementSnapshot().Select(m => (string)m.Tags["arm"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Coalescing_IdenticalRequestsWhileTheFirstIsAnswered_OneUpstreamCallAndTheSameAnswerForAll()
    {
        // The upstream takes 1 s: the other four arrive while the first is in flight, wait for it and are served its
        // answer. (Any that arrived after it was stored would be plain hits: one upstream call either way.)
        _cheap.FirstByteDelay = TimeSpan.FromSeconds(1);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var response = await _gateway.Http.SendAsync(Request(Body));
            return (response.StatusCode, Cache: Header(response, "x-router-cache"), Text: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(_cheap.Received);
        Assert.Empty(_premium.Received);
        Assert.Single(answers, a => a.Cache == "miss");
        Assert.Equal(4, answers.Count(a => a.Cache == "hit"));
        Assert.Single(answers.Select(a => a.Text).Distinct());
    }

    [Fact]
    public async Task Coalescing_FirstRequestFails_TheWaitersAreReleasedAndEachGoesUpstream()
    {
        // Nothing is stored after an error, so the waiters read a miss and go upstream themselves (none hangs).
        _cheap.FirstByteDelay = TimeSpan.FromSeconds(1);
        _cheap.FailWithStatus = 400;
        var pinned = Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await _gateway.Http.SendAsync(Request(pinned));
            return (response.StatusCode, Cache: Header(response, "x-router-cache"));
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(statuses, s => Assert.Equal((HttpStatusCode.BadRequest, "miss"), s));
        Assert.Equal(4, _cheap.Received.Count);
    }

    [Fact]
    public async Task Coalescing_Off_ConcurrentIdenticalRequestsEachGoUpstream()
    {
        await using var gateway = await StartAsync(new Dictionary<string, string?> { ["Router:Cache:Coalesce"] = "false" });
        _cheap.FirstByteDelay = TimeSpan.FromSeconds(2);

        var caches = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await gateway.Http.SendAsync(Request(Body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return Header(response, "x-router-cache");
        }));

        // All four normally arrive within the first one's 2 s; on a very loaded machine a late one may be a hit.
        Assert.True(_cheap.Received.Count >= 2, $"{_cheap.Received.Count} upstream calls");
        Assert.Equal(_cheap.Received.Count, caches.Count(c => c == "miss"));
    }

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?>? extra = null, TimeProvider? time = null) =>
        await GatewayHost.StartAsync(
            GatewayHost.Merge(
                GatewayHost.Arm(0, "premium", _premium.BaseUrl, 5, 15),
                GatewayHost.Arm(1, "cheap", _cheap.BaseUrl, 0.1, 0.2),
                GatewayHost.Arm(2, "embedder", _cheap.BaseUrl, 0.02, 0, tags: "embeddings"),
                new Dictionary<string, string?> { ["Router:Cache:Enabled"] = "true", ["Router:AdminKey"] = AdminKey },
                extra ?? []),
            services: time is null ? null : s => s.AddSingleton(time));

    /// <summary>Posts <paramref name="body"/>, waits for its observers (so a stored answer is in), returns (x-router-cache, body).</summary>
    private async Task<(string Cache, string Body)> SendAsync(string? bearer = null, string body = Body, string? cacheControl = null, GatewayHost? gateway = null)
    {
        gateway ??= _gateway;
        using var request = Request(body, bearer);
        if (cacheControl is not null)
        {
            request.Headers.CacheControl = CacheControlHeaderValue.Parse(cacheControl);
        }

        using var response = await gateway.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        return (Header(response, "x-router-cache"), text);
    }

    private static HttpRequestMessage Request(string body, string? bearer = null) => Chat(bearer, body);

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private OpenAIClientOptions Options() => new() { Endpoint = _gateway.OpenAiEndpoint, NetworkTimeout = TimeSpan.FromSeconds(20) };

    private static string RawHeader(System.ClientModel.Primitives.PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value ?? "" : "";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
