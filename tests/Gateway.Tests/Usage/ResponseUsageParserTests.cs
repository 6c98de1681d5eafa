using System.Text;
using Router.Gateway.Usage;

namespace Gateway.Tests.Usage;

public sealed class ResponseUsageParserTests
{
    private const string Stream =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n" +
        ": keep-alive comment\n\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo é\"},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n" +
        "data: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void Complete_SseInArbitraryPieces_FindsUsageAndText(int pieceSize)
    {
        var parser = new ResponseUsageParser("text/event-stream; charset=utf-8");
        var bytes = Encoding.UTF8.GetBytes(Stream);

        for (var i = 0; i < bytes.Length; i += pieceSize)
        {
            parser.Append(bytes.AsSpan(i, Math.Min(pieceSize, bytes.Length - i)));
        }

        var usage = parser.Complete();
        Assert.Equal(12, usage.PromptTokens);
        Assert.Equal(3, usage.CompletionTokens);
        Assert.Equal("Hello é", usage.CompletionText);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":-5,"completion_tokens":-1,"total_tokens":-6}""")]
    [InlineData("""{"prompt_tokens":1e300,"completion_tokens":"3","total_tokens":1.5}""")]
    public void Complete_NegativeOrNonIntegerUsage_IsIgnored(string usageJson)
    {
        var parser = new ResponseUsageParser("application/json");
        parser.Append(Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."}}],"usage":""" + usageJson + "}"));

        var usage = parser.Complete();

        Assert.Null(usage.PromptTokens);
        Assert.Null(usage.CompletionTokens);
        Assert.Equal("Paris.", usage.CompletionText);
    }

    [Fact]
    public void Complete_JsonWithoutUsage_ReturnsTextAndNoCounts()
    {
        var parser = new ResponseUsageParser("application/json");
        parser.Append("""{"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."}}]}"""u8);

        var usage = parser.Complete();

        Assert.Null(usage.PromptTokens);
        Assert.Null(usage.CompletionTokens);
        Assert.Equal("Paris.", usage.CompletionText);
    }

    [Fact]
    public void Complete_EmbeddingsUsage_CompletionIsTotalMinusPrompt()
    {
        var parser = new ResponseUsageParser("application/json");
        parser.Append("""{"data":[],"usage":{"prompt_tokens":8,"total_tokens":8}}"""u8);

        var usage = parser.Complete();

        Assert.Equal(8, usage.PromptTokens);
        Assert.Equal(0, usage.CompletionTokens);
    }

    [Fact]
    public void Complete_GarbageBody_DoesNotThrow()
    {
        var parser = new ResponseUsageParser("application/json");
        parser.Append("<html>502</html>"u8);

        Assert.Null(parser.Complete().PromptTokens);
    }

    [Fact]
    public void Complete_AnswerTextNotUtf8_KeepsUsageAndTextWithReplacementCharacter()
    {
        var parser = new ResponseUsageParser("application/json");
        parser.Append([.. "{\"choices\":[{\"message\":{\"content\":\"caf"u8, 0xE9, .. "\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"u8]);

        var usage = parser.Complete();

        Assert.Equal(3, usage.PromptTokens);
        Assert.Equal(4, usage.CompletionTokens);
        Assert.Equal("caf\uFFFD", usage.CompletionText);
    }

    [Theory]
    [InlineData("application/json", "\uFEFF{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}")]
    [InlineData("text/event-stream", "data: \uFEFF{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}\n\n")]
    public void Complete_LeadingByteOrderMark_UsageStillRead(string contentType, string body)
    {
        var parser = new ResponseUsageParser(contentType);
        parser.Append(System.Text.Encoding.UTF8.GetBytes(body));

        var usage = parser.Complete();

        Assert.Equal(5, usage.PromptTokens);
        Assert.Equal(6, usage.CompletionTokens);
        Assert.Equal("hi", usage.CompletionText);
    }
}
