using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using Router.Gateway.Usage;

namespace EndToEnd.Tests;

/// <summary>Fallback before the first byte, upstream error mapping, timeouts and client cancellation (real sockets).</summary>
public sealed class UpstreamFailureTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_FAILURE_UPSTREAM_KEY";
    private const string Secret = "sk-test-very-secret-0123456789";
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""";
    private TestUpstream _cheap = null!;
    private TestUpstream _premium = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, Secret);
        _cheap = await TestUpstream.StartAsync();
        _premium = await TestUpstream.StartAsync();
        _premium.Words = ["premium"];
    }

    public async Task DisposeAsync()
    {
        await _cheap.DisposeAsync();
        await _premium.DisposeAsync();
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Auto_CheapestArmFailsBeforeFirstByte_FallsBackToNextArm(int status)
    {
        _cheap.FailWithStatus = status;
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("premium", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("premium", Header(response, "x-router-arm"));
        Assert.Equal("true", Header(response, "x-router-fallback"));
        var completion = await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.True(completion.FallbackUsed);
        Assert.Equal(["cheap", "premium"], completion.AttemptedArms);
        Assert.Equal(RequestOutcome.Succeeded, completion.Outcome);
    }

    [Fact]
    public async Task Auto_CheapestArmRefusesConnections_FallsBackToNextArm()
    {
        await using var gateway = await StartAsync(cheapUrl: new Uri($"http://127.0.0.1:{ClosedPort()}/v1"));

        using var response = await PostAsync(gateway, Body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("premium", Header(response, "x-router-arm"));
    }

    [Fact]
    public async Task Pinned_Upstream400_PassesStatusAndUpstreamMessageWithoutFallback()
    {
        _cheap.FailWithStatus = 400;
        _cheap.ErrorMessage = "This model's maximum context length is 8192 tokens.";
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Contains("maximum context length is 8192", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("upstream_test_error", error.GetProperty("type").GetString());
        Assert.Equal("cheap", Header(response, "x-router-arm"));
        Assert.Empty(_premium.Received);
    }

    [Fact]
    public async Task Pinned_Upstream401EchoingTheKey_Returns502WithoutTheSecret()
    {
        _cheap.FailWithStatus = 401;
        _cheap.ErrorMessage = "Incorrect API key provided: {auth}.";
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", text, StringComparison.Ordinal);
        Assert.Equal("upstream_auth_failed", (await ErrorAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Pinned_UpstreamSlowerThanArmTimeout_Returns504()
    {
        _cheap.FirstByteDelay = TimeSpan.FromSeconds(10);
        await using var gateway = await StartAsync(cheapTimeout: 0.3);

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", (await ErrorAsync(response)).GetProperty("code").GetString());
        // (A 504 at all shows the 0.3 s arm timeout fired: the upstream would have answered 200 after 10 s.)
        await _cheap.AbortObserved.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Pinned_StreamHeadersArriveButNoEventWithinArmTimeout_Returns504()
    {
        // The headers come at once, the first event never: the arm's idle timeout fires while the gateway waits for the
        // first event (SuccessBody's peek), before anything reached the client, so it is a timeout (504, retryable),
        // not an unreachable upstream.
        _cheap.Words = ["never"];
        _cheap.HoldLastChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await StartAsync(cheapTimeout: 0.5);
        var request = Body.Replace("}]}", "}],\"stream\":true}", StringComparison.Ordinal).Replace("auto", "cheap", StringComparison.Ordinal);

        using var response = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", (await ErrorAsync(response)).GetProperty("code").GetString());
        var completion = await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.Equal(RequestOutcome.UpstreamTimeout, completion.Outcome);
    }

    [Fact]
    public async Task Pinned_StreamSendingKeepAlivesLongerThanArmTimeoutBeforeItsFirstEvent_Succeeds()
    {
        // A slow model behind a server that sends SSE comments while it thinks (OpenRouter's ": OPENROUTER PROCESSING"):
        // no gap reaches the arm's 2.5 s idle timeout, the first event comes after 4 s or more. The wait for the first event
        // must not turn the keep-alives into a timeout; the comments reach the client as they did before the peek.
        _cheap.KeepAlives = 40;
        _cheap.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        await using var gateway = await StartAsync(cheapTimeout: 2.5);
        var request = Body.Replace("}]}", "}],\"stream\":true}", StringComparison.Ordinal).Replace("auto", "cheap", StringComparison.Ordinal);

        using var response = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith(": keep-alive\n\n", text, StringComparison.Ordinal);
        Assert.Contains("upstream.", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_EveryArmFails_ReturnsMappedErrorOfTheLastArm()
    {
        _cheap.FailWithStatus = 503;
        _premium.FailWithStatus = 502;
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("premium", Header(response, "x-router-arm"));
        Assert.Equal("upstream_error", (await ErrorAsync(response)).GetProperty("type").GetString());
        var completion = await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.Equal(RequestOutcome.UpstreamError, completion.Outcome);
    }

    [Fact]
    public async Task Stream_ClientCancelsMidStream_UpstreamObservesTheAbort()
    {
        _cheap.Words = [.. Enumerable.Range(0, 200).Select(i => $" w{i}")];
        _cheap.ChunkDelay = TimeSpan.FromMilliseconds(50);
        await using var gateway = await StartAsync();
        var body = Body.Replace("\"auto\",", "\"cheap\",\"stream\":true,", StringComparison.Ordinal);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[256];
            Assert.True(await stream.ReadAsync(buffer) > 0);
            Assert.False(_cheap.StreamFinished.Task.IsCompleted);
        }

        // Disposing the response mid-stream closes the connection; the gateway must cancel the upstream call.
        await _cheap.AbortObserved.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(_cheap.StreamFinished.Task.IsCompleted);
        var completion = Assert.Single(await gateway.Observer.WaitForCountAsync(1));
        Assert.Equal(RequestOutcome.ClientCancelled, completion.Outcome);
    }

    [Theory]
    [InlineData("7", "7")]
    [InlineData("0", "1")]
    [InlineData("86400", "3600")]
    public async Task Pinned_Upstream429WithRetryAfter_ClientGetsItsRetryAfter(string upstreamValue, string expected)
    {
        _cheap.FailWithStatus = 429;
        _cheap.RetryAfter = upstreamValue;
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(expected, Header(response, "Retry-After"));
        Assert.Equal("test_code", (await ErrorAsync(response)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("text/html", "<html>proxy error</html>", false)]
    [InlineData("application/json", """{"error":{"message":"overloaded"}}""", true)]
    [InlineData("text/plain", "oops", true)]
    public async Task Upstream200WithWrongContentType_Pinned502AndAutoFallsBack(string contentType, string body, bool stream)
    {
        _cheap.SuccessOverride = (contentType, body);
        await using var gateway = await StartAsync();
        var request = stream ? Body.Replace("}]}", "}],\"stream\":true}", StringComparison.Ordinal) : Body;

        using var pinned = await PostAsync(gateway, request.Replace("auto", "cheap", StringComparison.Ordinal));
        using var routed = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.BadGateway, pinned.StatusCode);
        var error = await ErrorAsync(pinned);
        Assert.Equal("upstream_invalid_response", error.GetProperty("code").GetString());
        Assert.Contains(contentType, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("premium", Header(routed, "x-router-arm"));
        Assert.Contains("premium", await routed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"error":{"message":"The server had an error while processing your request","type":"server_error"}}""", "The server had an error while processing your request")]
    [InlineData("""{"object":"error","message":"model overloaded","type":"BadRequestError","code":400}""", "model overloaded")]
    [InlineData("""{"error":"upstream quota exhausted for key sk-test-very-secret-0123456789"}""", "upstream quota exhausted for key ***")]
    [InlineData("""<html>not json</html>""", "not JSON")]
    public async Task Upstream200WithErrorOrNonJsonBody_Pinned502WithItsMessageAndAutoFallsBack(string body, string expected)
    {
        _cheap.SuccessOverride = ("application/json", body);
        await using var gateway = await StartAsync();

        using var pinned = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));
        using var routed = await PostAsync(gateway, Body);

        Assert.Equal(HttpStatusCode.BadGateway, pinned.StatusCode);
        var error = await ErrorAsync(pinned);
        Assert.Equal("upstream_invalid_response", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("premium", Header(routed, "x-router-arm"));
        Assert.Equal("cheap", Header(routed, "x-router-fallback-from"));
    }

    [Theory]
    [InlineData("data: {\"error\":{\"message\":\"The model is overloaded\",\"type\":\"server_error\"}}\n\n", "The model is overloaded")]
    [InlineData("", "ended before its first event")]
    public async Task Upstream200StreamStartingWithAnError_Pinned502AndAutoFallsBack(string stream, string expected)
    {
        _cheap.SuccessOverride = ("text/event-stream", stream);
        await using var gateway = await StartAsync();
        var request = Body.Replace("}]}", "}],\"stream\":true}", StringComparison.Ordinal);

        using var pinned = await PostAsync(gateway, request.Replace("auto", "cheap", StringComparison.Ordinal));
        using var routed = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.BadGateway, pinned.StatusCode);
        var error = await ErrorAsync(pinned);
        Assert.Equal("upstream_invalid_response", error.GetProperty("code").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("premium", Header(routed, "x-router-arm"));
        var text = await routed.Content.ReadAsStringAsync();
        Assert.Contains("premium", text, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(200)]
    public async Task UpstreamErrorMessageNotUtf8_Pinned502WithTheMessageAndAutoFallsBack(int status)
    {
        // Bytes that are not UTF-8 inside the error's message (a Latin-1 'é' from a proxy): mapped like any error,
        // not a 500 from decoding it.
        byte[] body = [.. "{\"error\":{\"message\":\"serveur surcharg"u8, 0xE9, .. "\",\"type\":\"server_error\"}}"u8];
        _cheap.RawAnswer = (status, "application/json", body);
        await using var gateway = await StartAsync();

        using var pinned = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));
        using var routed = await PostAsync(gateway, Body);

        Assert.Equal(HttpStatusCode.BadGateway, pinned.StatusCode);
        var error = await ErrorAsync(pinned);
        Assert.Equal(status == 200 ? "upstream_invalid_response" : "upstream_error", error.GetProperty("code").GetString());
        Assert.Contains("serveur surcharg\uFFFD", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("premium", Header(routed, "x-router-arm"));
    }

    [Fact]
    public async Task Upstream200Compressed_PassedOnWithItsEncoding()
    {
        // The gateway asks for identity (it strips Accept-Encoding), but an upstream may compress anyway: its first
        // bytes cannot be judged as JSON, so the answer goes on as it did before the check, not as a 502 "not JSON".
        const string completion = """{"id":"chatcmpl-gz","object":"chat.completion","created":1,"model":"cheap","choices":[{"index":0,"message":{"role":"assistant","content":"compressed"},"finish_reason":"stop"}]}""";
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
            {
                gzip.Write(Encoding.UTF8.GetBytes(completion));
            }

            compressed = buffer.ToArray();
        }

        _cheap.RawAnswer = (200, "application/json", compressed);
        _cheap.ResponseHeaders["Content-Encoding"] = "gzip";
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Equal(compressed, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Upstream200WithInvalidUtf8InTheAnswer_PassedOnWholeAndMetered(bool stream)
    {
        // A model's text with bytes that are not UTF-8 (a cut multi-byte character): the client gets the bytes as sent,
        // and metering (which reads the text for its token estimate) neither breaks the response nor loses the usage.
        byte[] Concat(string before, string after) => [.. Encoding.UTF8.GetBytes(before), 0xE9, .. Encoding.UTF8.GetBytes(after)];
        var body = stream
            ? Concat("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf", "\"}}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\ndata: [DONE]\n\n")
            : Concat("{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"caf",
                "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}");
        _cheap.RawAnswer = (200, stream ? "text/event-stream" : "application/json", body);
        await using var gateway = await StartAsync();
        var request = stream ? Body.Replace("}]}", "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}", StringComparison.Ordinal) : Body;

        using var response = await PostAsync(gateway, request.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        var completion = await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.Equal(RequestOutcome.Succeeded, completion.Outcome);
        Assert.Equal(4, completion.CompletionTokens);
        Assert.False(completion.UsageEstimated);
    }

    [Fact]
    public async Task Upstream200JsonWithByteOrderMark_PassedOnAsSent()
    {
        // A .NET upstream writing through new StreamWriter(stream, Encoding.UTF8) starts its JSON with a UTF-8 BOM,
        // which JSON parsers may ignore (RFC 8259 §8.1; Python's json.loads does): passed on as before, not a 502 "not JSON".
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"bom\"},\"finish_reason\":\"stop\"}]}"u8];
        _cheap.RawAnswer = (200, "application/json", body);
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upstream200_LargeCompletion_PassesThroughWholeAndMetered()
    {
        // Longer than the 8 KB the gateway looks at before passing a JSON success on: the prefix and the rest arrive intact.
        var content = string.Concat(Enumerable.Repeat("lorem ipsum ", 3000));
        var completion = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-big",
            @object = "chat.completion",
            created = 1,
            model = "cheap",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 5, completion_tokens = 6000, total_tokens = 6005 },
        });
        _cheap.SuccessOverride = ("application/json", completion);
        await using var gateway = await StartAsync();

        using var response = await PostAsync(gateway, Body.Replace("auto", "cheap", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(completion, await response.Content.ReadAsStringAsync());
        var observed = await gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.Equal(6000, observed.CompletionTokens);
    }

    private async Task<GatewayHost> StartAsync(Uri? cheapUrl = null, double cheapTimeout = 30) =>
        await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "cheap", cheapUrl ?? _cheap.BaseUrl, 0.1, 0.2, apiKeyEnv: KeyEnv, timeoutSeconds: cheapTimeout),
            GatewayHost.Arm(1, "premium", _premium.BaseUrl, 5, 15, apiKeyEnv: KeyEnv)));

    private static async Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string body) =>
        await gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").Clone();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
