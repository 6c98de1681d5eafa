using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Simulation;

public sealed class SimulatedToolCallTests
{
    private const string WeatherSchema =
        """{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["location","unit"],"additionalProperties":false}""";

    private static readonly string Tools =
        $$$"""[{"type":"function","function":{"name":"get_weather","description":"Weather forecast for a city","parameters":{{{WeatherSchema}}}}}]""";

    [Fact]
    public async Task Chat_ToolChoiceRequired_AnswersAToolCallWhoseArgumentsSatisfyTheSchema()
    {
        using var client = SimulatedArm.Client();

        using var doc = await client.ChatAsync(Body("Tell me a joke", "\"required\""));
        var choice = doc.RootElement.GetProperty("choices")[0];
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];

        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.StartsWith("call_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        SchemaAssert.Valid(WeatherSchema, call.GetProperty("function").GetProperty("arguments").GetString()!);
    }

    [Fact]
    public async Task Chat_AutoAndTheUserAsksForTheWeather_CallsTheFunctionWithTheCityFromTheQuestion()
    {
        using var client = SimulatedArm.Client();

        using var doc = await client.ChatAsync(Body("What's the weather in Paris?", null));
        var arguments = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;

        using var parsed = JsonDocument.Parse(arguments);
        Assert.Equal("Paris", parsed.RootElement.GetProperty("location").GetString());
    }

    [Fact]
    public async Task Chat_ToolResultAfterTheUserTurn_AnswersInPlainText()
    {
        using var client = SimulatedArm.Client(new() { Reply = "It is sunny." });
        var messages = """
            [{"role":"user","content":"What's the weather in Paris?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\",\"unit\":\"celsius\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"{\"temperature\":21}"}]
            """;

        using var doc = await client.ChatAsync($$"""{"model":"m","messages":{{messages}},"tools":{{Tools}}}""");
        var choice = doc.RootElement.GetProperty("choices")[0];

        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("It is sunny.", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
    }

    [Fact]
    public async Task Chat_ToolChoiceNamesAnUnknownFunction_Answers400InTheOpenAiEnvelope()
    {
        using var client = SimulatedArm.Client();

        using var response = await client.PostAsync("http://sim/v1/chat/completions",
            SimulatedArm.Json(Body("hi", """{"type":"function","function":{"name":"missing"}}""")));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("tool_choice", doc.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Chat_WithTools_CountsTheToolDefinitionsAsPromptTokens()
    {
        using var client = SimulatedArm.Client();

        using var withTools = await client.ChatAsync(Body("Tell me a joke", "\"none\""));
        using var without = await client.ChatAsync("""{"model":"m","messages":[{"role":"user","content":"Tell me a joke"}]}""");

        Assert.Equal(
            without.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + SimulatedArm.Tokens.CountTokens(JsonDocument.Parse(Tools).RootElement.GetRawText()),
            withTools.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatStream_ToolCall_DeltasAssembleToTheNonStreamedCallWithTheSameUsage()
    {
        using var client = SimulatedArm.Client();
        using var plain = await client.ChatAsync(Body("What's the weather in Paris?", "\"required\""));
        var expected = plain.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];

        var events = await client.StreamAsync("/v1/chat/completions", Body("What's the weather in Paris?", "\"required\"", stream: true));
        var deltas = events.Where(e => e.RootElement.GetProperty("choices").GetArrayLength() > 0)
            .Select(e => e.RootElement.GetProperty("choices")[0]).ToList();
        var calls = deltas.Where(d => d.GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(d => d.GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        var arguments = new StringBuilder();
        calls.ForEach(c => arguments.Append(c.GetProperty("function").GetProperty("arguments").GetString()));

        Assert.Equal("assistant", deltas[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(expected.GetProperty("id").GetString(), calls[0].GetProperty("id").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("", calls[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        Assert.All(calls.Skip(1), c => Assert.False(c.TryGetProperty("id", out _)));
        Assert.True(calls.Count >= 2, $"only {calls.Count} tool-call deltas");
        Assert.Equal(expected.GetProperty("function").GetProperty("arguments").GetString(), arguments.ToString());
        Assert.Equal("tool_calls", deltas[^1].GetProperty("finish_reason").GetString());
        Assert.Equal(
            plain.RootElement.GetProperty("usage").GetRawText(),
            events[^1].RootElement.GetProperty("usage").GetRawText());
    }

    [Theory]
    [InlineData("""" "tools":[1,{"type":"function","function":7}],"tool_choice":"required" """")]
    [InlineData("""" "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"$ref":5},"b":{"$ref":"#/properties/a/0"},"c":{"anyOf":[3]},"d":{"type":"array","items":4,"uniqueItems":true}}}}}],"tool_choice":"required" """")]
    [InlineData("""" "response_format":{"type":"json_schema","json_schema":"not an object"} """")]
    [InlineData("""" "response_format":{"type":"json_schema","json_schema":{"schema":[1]}},"messages":[{"role":"assistant","tool_calls":[1,{"function":2}]},{"role":"user","content":[3]}] """")]
    public async Task Chat_OddlyShapedFields_AnswersRatherThanThrowing(string fields)
    {
        using var client = SimulatedArm.Client();

        using var response = await client.PostAsync("http://sim/v1/chat/completions", SimulatedArm.Json(
            "{\"model\":\"m\"," + (fields.Contains("\"messages\"", StringComparison.Ordinal) ? "" : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],") + fields.Trim() + "}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, doc.RootElement.GetProperty("choices").GetArrayLength());
    }

    private static string Body(string userTurn, string? toolChoice, bool stream = false) =>
        $$"""{"model":"m","messages":[{"role":"user","content":{{JsonSerializer.Serialize(userTurn)}}}],"tools":{{Tools}}{{(toolChoice is null ? "" : ",\"tool_choice\":" + toolChoice)}}{{(stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")}}}""";
}
