using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace EndToEnd.Tests;

/// <summary>
/// The embedded default's simulated arms through the real gateway with the official OpenAI .NET SDK: tool calls,
/// structured output, <c>n</c>, base64 and shortened embeddings behave as against a real OpenAI model.
/// </summary>
public sealed class SimulatedArmsTests : IAsyncLifetime
{
    private const string WeatherParameters =
        """{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location","unit"],"additionalProperties":false}""";

    private const string ReviewSchema =
        """{"type":"object","properties":{"title":{"type":"string"},"rating":{"type":"integer","minimum":1,"maximum":5}},"required":["title","rating"],"additionalProperties":false}""";

    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartDefaultProfileAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CompleteChat_AutoWithATool_TheSdkGetsAToolCallItCanAnswerAndThenText()
    {
        var client = Chat("auto");
        var tool = ChatTool.CreateFunctionTool("get_weather", "Current weather for a city", BinaryData.FromString(WeatherParameters), functionSchemaIsStrict: true);
        List<ChatMessage> messages = [new UserChatMessage("What's the weather in Paris?")];

        ChatCompletion first = await client.CompleteChatAsync(messages, new ChatCompletionOptions { Tools = { tool } });
        var call = Assert.Single(first.ToolCalls);
        using var arguments = JsonDocument.Parse(call.FunctionArguments);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, """{"temperature_c":21}"""));
        ChatCompletion second = await client.CompleteChatAsync(messages, new ChatCompletionOptions { Tools = { tool } });

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", arguments.RootElement.GetProperty("location").GetString());
        Assert.Contains(arguments.RootElement.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.False(string.IsNullOrEmpty(second.Content[0].Text));
    }

    [Fact]
    public async Task CompleteChatStreaming_RequiredTool_UpdatesAssembleToOneCallWithUsage()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Current weather for a city", BinaryData.FromString(WeatherParameters));
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        string? id = null, name = null;
        var arguments = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in Chat("gpt-4o-mini-sim").CompleteChatStreamingAsync([new UserChatMessage("Tell me a joke")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                id ??= part.ToolCallId;
                name ??= part.FunctionName;
                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.StartsWith("call_", id, StringComparison.Ordinal);
        Assert.Equal("get_weather", name);
        using var parsed = JsonDocument.Parse(arguments.ToString());
        Assert.Equal(JsonValueKind.String, parsed.RootElement.GetProperty("location").ValueKind);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task CompleteChat_JsonSchema_ContentDeserialisesToTheSchema()
    {
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("review", BinaryData.FromString(ReviewSchema), jsonSchemaIsStrict: true),
        };

        ChatCompletion answer = await Chat("auto").CompleteChatAsync([new UserChatMessage("Review the film Alien")], options);
        using var review = JsonDocument.Parse(answer.Content[0].Text);

        Assert.Equal(JsonValueKind.String, review.RootElement.GetProperty("title").ValueKind);
        Assert.InRange(review.RootElement.GetProperty("rating").GetInt32(), 1, 5);
        Assert.Equal(2, review.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task CompleteChat_N2ThroughTheSdkProtocolMethod_TwoChoices()
    {
        // The .NET SDK's typed options have no `n`; its protocol method sends the body as written.
        var body = BinaryContent.Create(BinaryData.FromString("""{"model":"auto","n":2,"messages":[{"role":"user","content":"Name a colour"}]}"""));

        var result = await Chat("auto").CompleteChatAsync(body);
        using var doc = JsonDocument.Parse(result.GetRawResponse().Content);
        var choices = doc.RootElement.GetProperty("choices");

        Assert.Equal(2, choices.GetArrayLength());
        Assert.Equal([0, 1], choices.EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices.EnumerateArray(), c => Assert.Contains("Name a colour", c.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateEmbedding_SdkAndBase64AndFloat_AllTheSameVector()
    {
        var client = new EmbeddingClient("text-embedding-3-small-sim", new ApiKeyCredential("no-key-needed"), Options());

        OpenAIEmbedding sdk = await client.GenerateEmbeddingAsync("The same sentence.");
        var floats = await RawEmbeddingAsync("float");
        var base64 = await RawEmbeddingAsync("base64");
        var bytes = Convert.FromBase64String(base64.GetString()!);
        var decoded = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);

        var expected = floats.EnumerateArray().Select(x => x.GetSingle()).ToArray();
        Assert.Equal(256, expected.Length);
        Assert.Equal(expected, decoded);
        Assert.Equal(expected, sdk.ToFloats().ToArray());
    }

    [Fact]
    public async Task GenerateEmbedding_Dimensions64_UnitVectorOfThatLength()
    {
        var client = new EmbeddingClient("text-embedding-3-small-sim", new ApiKeyCredential("no-key-needed"), Options());

        var result = await client.GenerateEmbeddingAsync("The same sentence.", new EmbeddingGenerationOptions { Dimensions = 64 });
        var vector = result.Value.ToFloats().ToArray();
        var full = (await client.GenerateEmbeddingAsync("The same sentence.")).Value.ToFloats().ToArray();
        var prefixNorm = Math.Sqrt(full.Take(64).Sum(x => (double)x * x));

        Assert.Equal(64, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 5);
        Assert.Equal(full[0] / prefixNorm, vector[0], 5);
    }

    private async Task<JsonElement> RawEmbeddingAsync(string format)
    {
        using var response = await _gateway.Http.PostAsJsonAsync("/v1/embeddings",
            new { model = "text-embedding-3-small-sim", input = "The same sentence.", encoding_format = format });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("data")[0].GetProperty("embedding").Clone();
    }

    private ChatClient Chat(string model) => new(model, new ApiKeyCredential("no-key-needed"), Options());

    private OpenAIClientOptions Options() => new() { Endpoint = _gateway.OpenAiEndpoint };
}
