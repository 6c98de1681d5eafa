using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Simulation;

public sealed class SimulatedStructuredOutputTests
{
    private const string Schema =
        """{"type":"object","properties":{"title":{"type":"string"},"rating":{"type":"integer","minimum":1,"maximum":5},"tags":{"type":"array","items":{"type":"string"}}},"required":["title","rating","tags"],"additionalProperties":false}""";

    private const string JsonSchemaFormat = $$$"""{"type":"json_schema","json_schema":{"name":"review","strict":true,"schema":{{{Schema}}}}}""";

    [Fact]
    public async Task Chat_JsonSchema_ContentParsesAndValidates()
    {
        using var client = SimulatedArm.Client();

        using var doc = await client.ChatAsync(Chat("Review the film Alien", JsonSchemaFormat));

        SchemaAssert.Valid(Schema, Content(doc.RootElement, 0));
    }

    [Fact]
    public async Task Chat_JsonObject_ContentIsAJsonObject()
    {
        using var client = SimulatedArm.Client(new() { Reply = "Fine." });

        using var doc = await client.ChatAsync(Chat("Answer in JSON", """{"type":"json_object"}"""));
        using var content = JsonDocument.Parse(Content(doc.RootElement, 0));

        Assert.Equal("Fine.", content.RootElement.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Chat_N3_ThreeChoicesAndCompletionUsageSummedOverThem()
    {
        using var client = SimulatedArm.Client();

        using var one = await client.ChatAsync(Chat("Review the film Alien", JsonSchemaFormat));
        using var three = await client.ChatAsync(Chat("Review the film Alien", JsonSchemaFormat, extra: ",\"n\":3"));
        var choices = three.RootElement.GetProperty("choices").EnumerateArray().ToList();

        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => SchemaAssert.Valid(Schema, c.GetProperty("message").GetProperty("content").GetString()!));
        Assert.Equal(Content(one.RootElement, 0), Content(three.RootElement, 0));
        Assert.Equal(
            choices.Sum(c => SimulatedArm.Tokens.CountTokens(c.GetProperty("message").GetProperty("content").GetString()!)),
            three.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(one.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), three.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatStream_N2JsonSchema_EachIndexAssemblesToTheNonStreamedChoice()
    {
        using var client = SimulatedArm.Client();
        using var plain = await client.ChatAsync(Chat("Review the film Alien", JsonSchemaFormat, extra: ",\"n\":2"));

        var events = await client.StreamAsync("/v1/chat/completions", Chat("Review the film Alien", JsonSchemaFormat, extra: ",\"n\":2,\"stream\":true"));
        var byIndex = events.Select(e => e.RootElement.GetProperty("choices")[0])
            .GroupBy(c => c.GetProperty("index").GetInt32()).OrderBy(g => g.Key).ToList();

        Assert.Equal([0, 1], byIndex.Select(g => g.Key));
        foreach (var group in byIndex)
        {
            var text = new StringBuilder();
            foreach (var delta in group)
            {
                text.Append(delta.GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : "");
            }

            Assert.Equal(Content(plain.RootElement, group.Key), text.ToString());
            Assert.Equal("stop", group.Last().GetProperty("finish_reason").GetString());
        }

        // Interleaved, as OpenAI streams n > 1: index 1 starts before index 0 ends.
        var indices = events.Select(e => e.RootElement.GetProperty("choices")[0].GetProperty("index").GetInt32()).ToList();
        Assert.True(indices.IndexOf(1) < indices.LastIndexOf(0));
    }

    [Fact]
    public async Task Chat_MaxTokensCutsTheText_FinishReasonLength()
    {
        using var client = SimulatedArm.Client(new() { Reply = "a b c d e f" });

        using var doc = await client.ChatAsync(Chat("hello", null, extra: ",\"max_tokens\":2"));

        Assert.Equal("length", doc.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task CompletionsStream_N2_BothChoicesStreamTheirText()
    {
        using var client = SimulatedArm.Client(new() { Reply = "one two" });

        var events = await client.StreamAsync("/v1/completions", """{"model":"m","prompt":"hi","n":2,"stream":true}""");
        var texts = events.Select(e => e.RootElement.GetProperty("choices")[0])
            .GroupBy(c => c.GetProperty("index").GetInt32())
            .ToDictionary(g => g.Key, g => string.Concat(g.Select(c => c.GetProperty("text").GetString())));

        Assert.Equal("one two", texts[0]);
        Assert.Equal("one two", texts[1]);
    }

    private static string Content(JsonElement root, int index) =>
        root.GetProperty("choices")[index].GetProperty("message").GetProperty("content").GetString()!;

    private static string Chat(string userTurn, string? format, string extra = "") =>
        $$"""{"model":"m","messages":[{"role":"user","content":{{JsonSerializer.Serialize(userTurn)}}}]{{(format is null ? "" : ",\"response_format\":" + format)}}{{extra}}}""";
}
