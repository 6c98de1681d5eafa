using System.Text;
using Microsoft.AspNetCore.Http;
using Router.Gateway.OpenAi;

namespace Gateway.Tests.OpenAi;

public sealed class OpenAiRequestParserTests
{
    [Fact]
    public void Parse_ChatWithSystemAndTurns_QueryIsSystemThenLastUserTurn()
    {
        var (request, error) = Parse(OpenAiOperation.ChatCompletions, """
            {"model":"auto","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":"first question"},
              {"role":"assistant","content":"first answer"},
              {"role":"user","content":[{"type":"text","text":"second"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"question"}]}]}
            """);

        Assert.Null(error);
        Assert.Equal("You are terse.\n\nsecond\nquestion", request!.QueryText);
        Assert.Contains("first answer", request.PromptText, StringComparison.Ordinal);
        Assert.Equal("auto", request.Model);
        Assert.False(request.Stream);
    }

    [Fact]
    public void Parse_RouterKnobsInBodyAndHeaders_HeadersWinAndFieldIsRemoved()
    {
        var headers = new HeaderDictionary { ["x-router-lambda"] = "2.5", ["x-router-time-limit"] = "3" };

        var (request, error) = Parse(OpenAiOperation.ChatCompletions,
            """{"model":"auto","router":{"lambda":0.5,"alpha":0.2},"messages":[{"role":"user","content":"q"}]}""", headers);

        Assert.Null(error);
        Assert.Equal(2.5, request!.RequestPolicy.Lambda);
        Assert.Equal(0.2, request.RequestPolicy.Alpha);
        Assert.Equal(3, request.RequestPolicy.TimeLimitSeconds);
        Assert.Null(request.RequestPolicy.Beta);
        Assert.False(request.Body.ContainsKey("router"));
    }

    [Fact]
    public void Parse_CompletionsWithPromptArray_QueryIsLastPrompt()
    {
        var (request, error) = Parse(OpenAiOperation.Completions, """{"model":"m","prompt":["a","b"],"stream":true}""");

        Assert.Null(error);
        Assert.Equal("b", request!.QueryText);
        Assert.True(request.Stream);
    }

    [Fact]
    public void Parse_EmbeddingsWithTokenIds_IsAccepted()
    {
        var (request, error) = Parse(OpenAiOperation.Embeddings, """{"model":"e","input":[1,2,3]}""");

        Assert.Null(error);
        Assert.Equal("", request!.QueryText);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}],"max_tokens":5.5}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}],"top_p":2}""", "top_p")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":3}]}]}""", "messages[0].content[0].text")]
    public void Parse_WrongTypes_NamesTheParameter(string body, string param)
    {
        var (request, error) = Parse(OpenAiOperation.ChatCompletions, body);

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal(param, error.Param);
    }

    private static (ParsedOpenAiRequest?, OpenAiError?) Parse(OpenAiOperation op, string body, IHeaderDictionary? headers = null) =>
        OpenAiRequestParser.Parse(op, Encoding.UTF8.GetBytes(body), headers ?? new HeaderDictionary());
}
