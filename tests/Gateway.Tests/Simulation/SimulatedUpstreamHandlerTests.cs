using System.Net;
using System.Text.Json;
using Router.Gateway.Configuration;
using Router.Gateway.Usage;

namespace Gateway.Tests.Simulation;

public sealed class SimulatedUpstreamHandlerTests
{
    private static readonly ITokenCounter Tokens = SimulatedArm.Tokens;

    [Fact]
    public async Task SendAsync_StreamWithIncludeUsage_SendsChunksThenUsageThenDone()
    {
        using var client = SimulatedArm.Client(new SimulationOptions { Reply = "one two three four", MaxCompletionTokens = 10 });

        using var response = await client.PostAsync("http://sim/v1/chat/completions", SimulatedArm.Json(
            """{"model":"up","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]}"""));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        using var usage = JsonDocument.Parse(events[^2]["data: ".Length..]);
        Assert.Equal(Tokens.CountTokens("one two three four"), usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var text = string.Concat(events[..^2].Select(e =>
        {
            using var doc = JsonDocument.Parse(e["data: ".Length..]);
            return doc.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : "";
        }));
        Assert.Equal("one two three four", text);
    }

    [Fact]
    public async Task SendAsync_MaxTokens_TruncatesTheReply()
    {
        using var client = SimulatedArm.Client(new SimulationOptions { Reply = "a b c d e f", MaxCompletionTokens = 64 });

        using var response = await client.PostAsync("http://sim/v1/chat/completions", SimulatedArm.Json(
            """{"model":"up","max_tokens":2,"messages":[{"role":"user","content":"hello"}]}"""));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("a b", doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task SendAsync_FailWithStatus_ReturnsOpenAiError()
    {
        using var client = SimulatedArm.Client(new SimulationOptions { FailWithStatus = 503 });

        using var response = await client.PostAsync("http://sim/v1/chat/completions", SimulatedArm.Json("""{"model":"up","messages":[]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Simulated failure", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Embeddings_SameTextSameUnitVector()
    {
        using var client = SimulatedArm.Client(new SimulationOptions { EmbeddingDimension = 16 });

        async Task<float[]> EmbedAsync()
        {
            using var response = await client.PostAsync("http://sim/v1/embeddings", SimulatedArm.Json("""{"model":"e","input":"same text"}"""));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return [.. doc.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle())];
        }

        var a = await EmbedAsync();
        var b = await EmbedAsync();

        Assert.Equal(16, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => x * x)), 4);
    }
}
