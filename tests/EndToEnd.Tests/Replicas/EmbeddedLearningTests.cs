using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace EndToEnd.Tests.Replicas;

/// <summary>One replica with the embedded default (appsettings.json's simulated arms, no checkpoint, no Redis).</summary>
public sealed class EmbeddedLearningTests : IAsyncLifetime
{
    private ReplicaHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CompleteChat_AutoOnDefaultProfile_RoutedByMixLlmEngine()
    {
        var client = new ChatClient("auto", new ApiKeyCredential("no-key-needed"), new OpenAIClientOptions { Endpoint = _gateway.OpenAiEndpoint });

        var result = await client.CompleteChatAsync([new UserChatMessage("What is the capital of France?")]);

        Assert.Contains("capital of France", result.Value.Content[0].Text, StringComparison.Ordinal);
        var headers = result.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("x-router-policy", out var policy));
        Assert.Equal("mixllm", policy);
        Assert.True(headers.TryGetValue("x-router-arm", out var arm));
        Assert.Contains(arm, new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim" });
        using var ready = await _gateway.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"in-process\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_StrongNegativeScoresOnChosenArm_NearIdenticalQueryChoosesAnotherArm()
    {
        var (firstId, firstArm, policy) = await _gateway.ChatAsync("Explain how a hash table handles collisions.");
        Assert.Equal("mixllm", policy);

        var requestId = firstId;
        string arm = firstArm;
        var sent = 0;
        while (arm == firstArm && sent < 12)
        {
            var (status, body) = await _gateway.FeedbackAsync(new { request_id = requestId, score = 0.0 });
            Assert.True(status == HttpStatusCode.Accepted, body);
            sent++;
            await _gateway.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == sent, what: "feedback " + sent);
            (requestId, arm, _) = await _gateway.ChatAsync("Explain how a hash table handles collisions!");
        }

        Assert.NotEqual(firstArm, arm);
        var stats = await _gateway.StatsAsync();
        var armStats = stats.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("name").GetString() == firstArm);
        Assert.Equal(sent, armStats.GetProperty("scores").GetInt64());
        Assert.Equal(0.0, armStats.GetProperty("meanScore").GetDouble());
    }

    [Fact]
    public async Task Feedback_RetriedAndThumbs_CountedOncePerKind()
    {
        var (requestId, arm, _) = await _gateway.ChatAsync("Write a haiku about routers.");

        var first = await _gateway.FeedbackAsync(new { request_id = requestId, thumbs = "up" });
        var retry = await _gateway.FeedbackAsync(new { request_id = requestId, thumbs = "up" });
        var score = await _gateway.FeedbackAsync(new { request_id = requestId, score = 0.75 });

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.Accepted, retry.Status);
        Assert.Contains("\"duplicate\"", retry.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, score.Status);
        var stats = await _gateway.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() >= 2 && s.GetProperty("usageApplied").GetInt64() >= 1);
        await Task.Delay(100);
        stats = await _gateway.StatsAsync();
        Assert.Equal(2, stats.GetProperty("feedbackApplied").GetInt64());
        var armStats = stats.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("name").GetString() == arm);
        Assert.Equal(1, armStats.GetProperty("thumbsUp").GetInt64());
        Assert.Equal(0.75, armStats.GetProperty("meanScore").GetDouble());
        Assert.Equal(1, armStats.GetProperty("requests").GetInt64());
        Assert.True(armStats.GetProperty("spendUsd").GetDouble() > 0);
        Assert.True(armStats.GetProperty("meanLatencySeconds").GetDouble() > 0);
    }

    [Theory]
    [InlineData("not json", "invalid_json")]
    [InlineData("[1]", "invalid_json")]
    [InlineData("{}", "missing_request_id")]
    [InlineData("{\"request_id\":5,\"score\":1}", "missing_request_id")]
    [InlineData("{\"request_id\":\"\",\"score\":1}", "missing_request_id")]
    [InlineData("{\"request_id\":\"req_x\"}", "invalid_feedback")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":1,\"thumbs\":\"up\"}", "invalid_feedback")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":1.5}", "invalid_score")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":-0.1}", "invalid_score")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":\"0.5\"}", "invalid_score")]
    [InlineData("{\"request_id\":\"req_x\",\"thumbs\":\"sideways\"}", "invalid_thumbs")]
    [InlineData("{\"request_id\":\"req_x\",\"thumbs\":true}", "invalid_thumbs")]
    [InlineData("{\"request_id\":\"req_\\ud800\",\"score\":0.5}", "invalid_json")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":0.5,\"score\":0.1}", "invalid_json")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":0.5,\"comment\":\"great\"}", "unknown_parameter")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":NaN}", "invalid_json")]
    [InlineData("{\"request_id\":\"req_x\",\"score\":1e400}", "invalid_score")]
    public async Task Feedback_BadBody_400InOpenAiEnvelope(string body, string code)
    {
        using var response = await _gateway.Http.PostAsync("/v1/feedback", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(code, json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Feedback_InvalidUtf8OversizedOrWrongMethod_4xxEnvelopeNot500()
    {
        using var invalid = new ByteArrayContent([.. "{\"request_id\":\""u8, 0xFF, .. "\",\"score\":0.5}"u8]);
        invalid.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var invalidResponse = await _gateway.Http.PostAsync("/v1/feedback", invalid);
        using var huge = new StringContent($$"""{"request_id":"req_x","score":0.5,"pad":"{{new string(' ', 100_000)}}"}""", Encoding.UTF8, "application/json");
        using var hugeResponse = await _gateway.Http.PostAsync("/v1/feedback", huge);
        using var getResponse = await _gateway.Http.GetAsync("/v1/feedback");

        Assert.Equal(HttpStatusCode.BadRequest, invalidResponse.StatusCode);
        Assert.Contains("invalid_json", await invalidResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeResponse.StatusCode);
        Assert.Contains("request_too_large", await hugeResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, getResponse.StatusCode);
        Assert.Contains("method_not_allowed", await getResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_UnknownRequestId_404()
    {
        var (status, body) = await _gateway.FeedbackAsync(new { request_id = "req_never_seen", score = 1.0 });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("request_not_found", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_PinnedRequest_400NotRouted()
    {
        var (requestId, arm, policy) = await _gateway.ChatAsync("Pinned question", model: "gpt-4o-sim");
        Assert.Equal("gpt-4o-sim", arm);
        Assert.Equal("pinned", policy);

        var (status, body) = await _gateway.FeedbackAsync(new { request_id = requestId, thumbs = "down" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not_routed", body, StringComparison.Ordinal);
    }
}
