using System.ClientModel;
using System.Net.Http.Headers;
using System.Text;
using EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;
using Router.Gateway.Usage;

namespace EndToEnd.Tests;

/// <summary>The official OpenAI .NET SDK against the gateway (real Kestrel) in front of a local OpenAI-protocol upstream.</summary>
public sealed class ChatCompletionsTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_CHAT_UPSTREAM_KEY";
    private const string UpstreamSecret = "upstream-secret-4f2c9a";
    private TestUpstream _cheap = null!;
    private TestUpstream _premium = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, UpstreamSecret);
        _cheap = await TestUpstream.StartAsync();
        _premium = await TestUpstream.StartAsync();
        _premium.Words = ["Premium", " answer."];
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "premium", _premium.BaseUrl, 5, 15, upstreamModel: "premium-upstream-model", apiKeyEnv: KeyEnv),
            GatewayHost.Arm(1, "cheap", _cheap.BaseUrl, 0.1, 0.2, upstreamModel: "cheap-upstream-model", apiKeyEnv: KeyEnv),
            GatewayHost.Arm(2, "embedder", _cheap.BaseUrl, 0.02, 0, tags: "embeddings")));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _cheap.DisposeAsync();
        await _premium.DisposeAsync();
    }

    [Fact]
    public async Task CompleteChat_PinnedArm_ForwardsRewrittenModelWithArmCredentialsAndReportsUsage()
    {
        var client = new ChatClient("premium", new ApiKeyCredential("client-key-must-not-travel"), Options());

        var result = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("What is 2+2?")]);

        Assert.Equal("Premium answer.", result.Value.Content[0].Text);
        Assert.Equal(11, result.Value.Usage.InputTokenCount);
        Assert.Equal(2, result.Value.Usage.OutputTokenCount);
        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal("premium", arm);
        Assert.True(raw.Headers.TryGetValue("x-router-policy", out var policy));
        Assert.Equal("pinned", policy);
        Assert.True(raw.Headers.TryGetValue("x-router-request-id", out var requestId));

        var received = Assert.Single(_premium.Received);
        Assert.Equal("/v1/chat/completions", received.PathAndQuery);
        Assert.Equal("premium-upstream-model", received.Body["model"]!.GetValue<string>());
        Assert.Equal("Bearer " + UpstreamSecret, received.Headers["Authorization"]);

        var completion = await _gateway.Observer.WaitForAsync(requestId!);
        Assert.Equal("premium", completion.Arm);
        Assert.Equal(RequestOutcome.Succeeded, completion.Outcome);
        Assert.Equal(11, completion.PromptTokens);
        Assert.Equal(2, completion.CompletionTokens);
        Assert.False(completion.UsageEstimated);
        Assert.Equal(((11 * 5.0) + (2 * 15.0)) / 1e6, completion.CostUsd, 12);
        Assert.NotNull(completion.TimeToFirstByte);
        Assert.False(completion.FallbackUsed);
    }

    [Fact]
    public async Task CompleteChatStreaming_Auto_ChunksArriveBeforeUpstreamFinishesAndUsageComesLast()
    {
        _cheap.Words = ["one", " two", " three", " four"];
        _cheap.HoldLastChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ChatClient("auto", new ApiKeyCredential("client-key"), Options());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var sawFirstChunkWhileUpstreamHeld = false;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Count to four.")], cancellationToken: timeout.Token))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (text.Length == 0)
                {
                    // The upstream is still holding its last chunk: the gateway must not have buffered the stream.
                    sawFirstChunkWhileUpstreamHeld = !_cheap.StreamFinished.Task.IsCompleted;
                    _cheap.HoldLastChunk.TrySetResult();
                }

                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.True(sawFirstChunkWhileUpstreamHeld);
        Assert.Equal("one two three four", text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(4, usage.OutputTokenCount);
        var received = Assert.Single(_cheap.Received);
        Assert.Equal("cheap-upstream-model", received.Body["model"]!.GetValue<string>());
        Assert.True(received.Body["stream_options"]!["include_usage"]!.GetValue<bool>());
        var completion = Assert.Single(await _gateway.Observer.WaitForCountAsync(1));
        Assert.Equal("cheap", completion.Arm);
        Assert.Equal("cheapest", completion.Decision.Policy);
        Assert.True(completion.Streamed);
        Assert.Equal(4, completion.CompletionTokens);
    }

    [Fact]
    public async Task Stream_RawHttp_RouterHeadersPrecedeTheFirstChunk()
    {
        _cheap.HoldLastChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"router","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-router-debug", "1");

        using var response = await _gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        // Headers are here while the upstream still holds the end of its stream.
        Assert.False(_cheap.StreamFinished.Task.IsCompleted);
        Assert.Equal("cheap", Header(response, "x-router-arm"));
        Assert.StartsWith("req_", Header(response, "x-router-request-id"), StringComparison.Ordinal);
        Assert.Equal("cheapest", Header(response, "x-router-policy"));
        Assert.Contains("\"ranked\":[\"cheap\",\"premium\"]", Header(response, "x-router-decision"), StringComparison.Ordinal);
        Assert.Equal(new MediaTypeHeaderValue("text/event-stream").MediaType, response.Content.Headers.ContentType?.MediaType);
        _cheap.HoldLastChunk.TrySetResult();
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stream_UsageChunk_ReachesOnlyClientsThatAskedButIsAlwaysMetered(bool clientAsks)
    {
        var options = clientAsks ? ""","stream_options":{"include_usage":true}""" : "";
        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"cheap","stream":true{{options}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(clientAsks, body.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Equal(5, body.Split("\"content\"").Length - 1);
        var completion = await _gateway.Observer.WaitForAsync(Header(response, "x-router-request-id"));
        Assert.Equal(11, completion.PromptTokens);
        Assert.Equal(5, completion.CompletionTokens);
        Assert.False(completion.UsageEstimated);
    }

    [Fact]
    public async Task CompleteChat_UpstreamWithoutUsage_EstimatesTokensAndMarksThemEstimated()
    {
        _cheap.ReportUsage = false;
        var client = new ChatClient("cheap", new ApiKeyCredential("k"), Options());

        var result = await client.CompleteChatAsync([new UserChatMessage("Estimate me, please.")]);

        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-request-id", out var id));
        var completion = await _gateway.Observer.WaitForAsync(id!);
        Assert.True(completion.UsageEstimated);
        Assert.InRange(completion.PromptTokens, 3, 20);
        Assert.InRange(completion.CompletionTokens, 3, 10);
        Assert.True(completion.CostUsd > 0);
    }

    [Fact]
    public async Task GetModels_ListsAutoAliasesAndEveryArm()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("k"), Options());

        var models = (await client.GetModelsAsync()).Value.Select(m => m.Id).ToList();

        Assert.Equal(["auto", "router", "premium", "cheap", "embedder"], models);
    }

    [Fact]
    public async Task GenerateEmbedding_Auto_GoesToTheArmTaggedEmbeddings()
    {
        var client = new EmbeddingClient("auto", new ApiKeyCredential("k"), Options());

        var result = await client.GenerateEmbeddingAsync("hello");

        Assert.Equal([0.6f, 0.8f], result.Value.ToFloats().ToArray());
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal("embedder", arm);
    }

    [Fact]
    public async Task Completions_Legacy_PinnedArmAnswers()
    {
        using var response = await _gateway.Http.PostAsync("/v1/completions",
            new StringContent("""{"model":"cheap","prompt":"Say hello"}""", Encoding.UTF8, "application/json"));

        response.EnsureSuccessStatusCode();
        Assert.Contains("Hello from the test upstream.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/v1/completions", Assert.Single(_cheap.Received).PathAndQuery);
    }

    private OpenAIClientOptions Options() => new() { Endpoint = _gateway.OpenAiEndpoint, NetworkTimeout = TimeSpan.FromSeconds(20) };

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
