using System.Text.Json.Nodes;
using Router.Gateway.Simulation;

namespace Gateway.Tests.Simulation;

public sealed class ToolSelectionTests
{
    private const string Tools = """
        [{"type":"function","function":{"name":"get_weather","description":"Current weather for a city","parameters":{"type":"object"}}},
         {"type":"function","function":{"name":"lookupStockPrice","description":"Latest quote of a ticker symbol","parameters":{"type":"object"}}}]
        """;

    [Theory]
    [InlineData("What's the weather in Paris?", "get_weather")]
    [InlineData("How are stocks doing today?", "lookupStockPrice")]
    [InlineData("Give me the quote for MSFT", "lookupStockPrice")]
    [InlineData("Weather in Oslo and the stock price of NVDA", "get_weather,lookupStockPrice")]
    public void Choose_AutoAndAMatchingUserTurn_CallsTheMatchingFunctions(string userTurn, string expected)
    {
        var (calls, error) = ToolSelection.Choose(Body(null), userTurn, toolResultsAfterLastUserTurn: false);

        Assert.Null(error);
        Assert.Equal(expected, string.Join(',', calls.Select(c => c["name"]!.ToString())));
    }

    [Fact]
    public void Choose_ParallelToolCallsFalse_CallsOnlyTheBestMatch()
    {
        var body = Body(null);
        body["parallel_tool_calls"] = false;

        var (calls, _) = ToolSelection.Choose(body, "current weather in the city, and one stock", false);

        Assert.Equal("get_weather", Assert.Single(calls)["name"]!.ToString());
    }

    [Fact]
    public void Choose_AutoAndNoMatch_AnswersInText() =>
        Assert.Empty(ToolSelection.Choose(Body(null), "Tell me a joke", false).Calls);

    [Fact]
    public void Choose_AutoAfterToolResults_AnswersInText() =>
        Assert.Empty(ToolSelection.Choose(Body(null), "What's the weather in Paris?", toolResultsAfterLastUserTurn: true).Calls);

    [Fact]
    public void Choose_None_AnswersInText() =>
        Assert.Empty(ToolSelection.Choose(Body("none"), "What's the weather in Paris?", false).Calls);

    [Fact]
    public void Choose_RequiredAndNoMatch_CallsTheFirstFunction() =>
        Assert.Equal("get_weather", Assert.Single(ToolSelection.Choose(Body("required"), "Tell me a joke", true).Calls)["name"]!.ToString());

    [Fact]
    public void Choose_NamedFunction_CallsItWhateverTheText()
    {
        var named = JsonNode.Parse("""{"type":"function","function":{"name":"lookupStockPrice"}}""");

        var (calls, _) = ToolSelection.Choose(Body(named), "What's the weather in Paris?", true);

        Assert.Equal("lookupStockPrice", Assert.Single(calls)["name"]!.ToString());
    }

    [Fact]
    public void Choose_NamedFunctionNotInTools_IsAnError()
    {
        var (calls, error) = ToolSelection.Choose(Body(JsonNode.Parse("""{"type":"function","function":{"name":"nope"}}""")), "hi", false);

        Assert.Empty(calls);
        Assert.Contains("nope", error, StringComparison.Ordinal);
    }

    private static JsonObject Body(JsonNode? toolChoice)
    {
        var body = new JsonObject { ["tools"] = JsonNode.Parse(Tools) };
        if (toolChoice is not null)
        {
            body["tool_choice"] = toolChoice;
        }

        return body;
    }
}
