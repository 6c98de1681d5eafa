using System.Text;
using Microsoft.AspNetCore.Http;
using Router.Gateway.OpenAi;
using Router.Gateway.Pipeline;

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

    [Theory]
    [InlineData("\"tools\":\"x\"", "tools")]
    [InlineData("\"tools\":{}", "tools")]
    [InlineData("\"tools\":[1]", "tools[0]")]
    [InlineData("\"tools\":[{\"function\":{}}]", "tools[0]")]
    [InlineData("\"response_format\":\"json\"", "response_format")]
    [InlineData("\"response_format\":{\"type\":1}", "response_format")]
    [InlineData("\"logit_bias\":\"x\"", "logit_bias")]
    [InlineData("\"logit_bias\":[]", "logit_bias")]
    [InlineData("\"logit_bias\":{\"50256\":\"-100\"}", "logit_bias")]
    [InlineData("\"logit_bias\":{\"50256\":101}", "logit_bias")]
    [InlineData("\"logit_bias\":{\"abc\":1}", "logit_bias")]
    [InlineData("\"user\":1", "user")]
    [InlineData("\"user\":{}", "user")]
    [InlineData("\"seed\":\"1\"", "seed")]
    [InlineData("\"seed\":1.5", "seed")]
    [InlineData("\"seed\":1e30", "seed")]
    [InlineData("\"presence_penalty\":\"1\"", "presence_penalty")]
    [InlineData("\"frequency_penalty\":3", "frequency_penalty")]
    [InlineData("\"stop\":1", "stop")]
    [InlineData("\"stop\":[1]", "stop")]
    [InlineData("\"logprobs\":\"true\"", "logprobs")]
    [InlineData("\"top_logprobs\":21", "top_logprobs")]
    [InlineData("\"parallel_tool_calls\":\"yes\"", "parallel_tool_calls")]
    [InlineData("\"tool_choice\":1", "tool_choice")]
    [InlineData("\"metadata\":[]", "metadata")]
    [InlineData("\"n\":129", "n")]
    [InlineData("\"stream\":true,\"stream_options\":{\"include_usage\":\"yes\"}", "stream_options.include_usage")]
    [InlineData("\"router\":{\"lamda\":1}", "router.lamda")]
    public void Parse_KnownFieldOfWrongType_Returns400NamingIt(string field, string param)
    {
        var (request, error) = Parse(OpenAiOperation.ChatCompletions, $$"""{"model":"auto","messages":[{"role":"user","content":"q"}],{{field}}}""");

        Assert.Null(request);
        Assert.Equal(400, error!.Status);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"auto\",\"parallel_tool_calls\":false")]
    [InlineData("\"response_format\":{\"type\":\"json_object\"}")]
    [InlineData("\"logit_bias\":{\"50256\":-100,\"11\":2.5}")]
    [InlineData("\"user\":\"u-1\",\"seed\":-42,\"presence_penalty\":-2,\"frequency_penalty\":1.5")]
    [InlineData("\"stop\":[\"a\",\"b\"],\"logprobs\":true,\"top_logprobs\":5,\"metadata\":{\"k\":\"v\"}")]
    [InlineData("\"stop\":null,\"seed\":null,\"tools\":null,\"user\":null")]
    [InlineData("\"n\":128")]
    public void Parse_KnownFieldsOfRightType_AreAccepted(string fields)
    {
        var (request, error) = Parse(OpenAiOperation.ChatCompletions, $$"""{"model":"auto","messages":[{"role":"user","content":"q"}],{{fields}}}""");

        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData("\"logprobs\":5,\"echo\":true,\"best_of\":2,\"suffix\":\"s\"", null)]
    [InlineData("\"logprobs\":6", "logprobs")]
    [InlineData("\"echo\":\"true\"", "echo")]
    public void Parse_CompletionsFields_TypeChecked(string fields, string? param)
    {
        var (_, error) = Parse(OpenAiOperation.Completions, $$"""{"model":"auto","prompt":"q",{{fields}}}""");

        Assert.Equal(param, error?.Param);
    }

    private static (GatewayRequest?, OpenAiError?) Parse(OpenAiOperation op, string body, IHeaderDictionary? headers = null) =>
        OpenAiRequestParser.Parse(op, Encoding.UTF8.GetBytes(body), headers ?? new HeaderDictionary());
}
