using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace EndToEnd.Tests;

/// <summary>
/// The native <c>anthropic</c> provider (OpenAI chat in, Anthropic Messages upstream) and the <c>/v1/messages</c>
/// surface, against the strict local Anthropic upstream and the real gateway on loopback.
/// </summary>
public sealed class AnthropicProtocolTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_ANTHROPIC_UPSTREAM_KEY";
    private const string Secret = "sk-ant-test-0123456789abcdef";
    private AnthropicUpstream _claude = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, Secret);
        _claude = await AnthropicUpstream.StartAsync(Secret);
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "claude-x", _claude.BaseUrl, 3, 15, provider: "anthropic", upstreamModel: "claude-sonnet-4-5-20250929", apiKeyEnv: KeyEnv)));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _claude.DisposeAsync();
    }

    [Fact]
    public async Task OpenAiChat_AnthropicArm_TranslatedBothWaysWithSystemKeyAndUsage()
    {
        var client = new ChatClient("claude-x", new ApiKeyCredential("client-key"), Options());

        var result = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi?")]);

        Assert.Equal("Hello from Claude.", result.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.Equal(21, result.Value.Usage.InputTokenCount);
        Assert.Equal(5, result.Value.Usage.OutputTokenCount);
        var sent = Assert.Single(_claude.Received);
        Assert.Equal("Be brief.", sent["system"]!.GetValue<string>());
        Assert.Equal("claude-sonnet-4-5-20250929", sent["model"]!.GetValue<string>());
        Assert.Equal(4096, sent["max_tokens"]!.GetValue<int>()); // the default when the client gave none
        Assert.Equal("user", sent["messages"]![0]!["role"]!.GetValue<string>());
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-request-id", out var requestId));
        var completion = await _gateway.Observer.WaitForAsync(requestId!);
        Assert.Equal(21, completion.PromptTokens);
        Assert.Equal(5, completion.CompletionTokens);
        Assert.False(completion.UsageEstimated);
        Assert.Equal(((21 * 3.0) + (5 * 15.0)) / 1e6, completion.CostUsd, 12);
    }

    [Fact]
    public async Task OpenAiChatStreaming_AnthropicArm_TextAndUsage()
    {
        var client = new ChatClient("claude-x", new ApiKeyCredential("client-key"), Options());
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Hi?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("Hello from Claude.", text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(21, usage.InputTokenCount);
        Assert.Equal(6, usage.OutputTokenCount);
        Assert.True(Assert.Single(_claude.Received)["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task OpenAiChat_AnthropicArmAnswersToolUse_ToolCallMapped()
    {
        _claude.AnswerToolUse = true;
        var client = new ChatClient("claude-x", new ApiKeyCredential("client-key"), Options());
        var options = new ChatCompletionOptions { ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Weather of a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")));

        var result = await client.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options);

        Assert.Equal(ChatFinishReason.ToolCalls, result.Value.FinishReason);
        var call = Assert.Single(result.Value.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("toolu_01", call.Id);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());
        var sent = Assert.Single(_claude.Received);
        Assert.Equal("any", sent["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tools"]![0]!["name"]!.GetValue<string>());
        Assert.NotNull(sent["tools"]![0]!["input_schema"]);
    }

    [Fact]
    public async Task OpenAiChat_AnthropicArmOverloaded529_OpenAi503Envelope()
    {
        _claude.Overloaded = true;
        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("upstream_overloaded", error.GetProperty("code").GetString());
        Assert.Contains("Overloaded", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAiChat_JsonSchemaToAnthropicArm_ForcedAnswerToolBecomesContent()
    {
        var client = new ChatClient("claude-x", new ApiKeyCredential("client-key"), Options());
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("city_facts", BinaryData.FromString(CitySchema), jsonSchemaIsStrict: true),
        };

        var result = await client.CompleteChatAsync([new UserChatMessage("Facts about Paris as JSON.")], options);

        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.Empty(result.Value.ToolCalls);
        var answer = JsonNode.Parse(result.Value.Content[0].Text)!;
        Assert.Equal("Paris", answer["city"]!.GetValue<string>());
        Assert.Equal(3, answer["population_millions"]!.GetValue<int>());
        Assert.Equal("europe", answer["continent"]!.GetValue<string>());
        var sent = Assert.Single(_claude.Received);
        Assert.Null(sent["response_format"]);
        var tool = Assert.Single(sent["tools"]!.AsArray())!;
        Assert.Equal("json_tool_call", tool["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(CitySchema), tool["input_schema"]));
        Assert.Equal("tool", sent["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("json_tool_call", sent["tool_choice"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenAiChatStreaming_JsonSchemaToAnthropicArm_ContentDeltasParse()
    {
        var client = new ChatClient("claude-x", new ApiKeyCredential("client-key"), Options());
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("city_facts", BinaryData.FromString(CitySchema)) };
        var text = new StringBuilder();
        var deltas = 0;
        ChatFinishReason? finish = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Facts about Paris as JSON.")], options))
        {
            Assert.Empty(update.ToolCallUpdates);
            foreach (var part in update.ContentUpdate.Where(p => p.Text.Length > 0)) // the role chunk carries content ""
            {
                text.Append(part.Text);
                deltas++;
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(2, deltas); // the upstream's two input_json_delta fragments, passed as they came
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal("Paris", JsonNode.Parse(text.ToString())!["city"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAiChat_ArraySchemaToAnthropicArm_WrappedAsObjectAndUnwrapped(bool stream)
    {
        var body = """{"model":"claude-x","stream":""" + (stream ? "true" : "false") +
            ""","messages":[{"role":"user","content":"Two cities"}],"response_format":{"type":"json_schema","json_schema":{"name":"cities","schema":{"type":"array","items":{"type":"string"}}}}}""";

        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        var content = stream
            ? string.Concat(raw.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonNode.Parse(l[6..])!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()))
            : JsonNode.Parse(raw)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal("""["Paris"]""", content);
        var schema = Assert.Single(_claude.Received)["tools"]![0]!["input_schema"]!;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal("array", schema["properties"]!["values"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenAiChat_JsonSchemaWithClientToolsToAnthropicArm_AnswerToolAddedClientChoiceKept()
    {
        var body = """{"model":"claude-x","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"response_format":{"type":"json_object"}}""";

        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(_claude.Received);
        Assert.Equal(["get_weather", "json_tool_call"], sent["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Null(sent["tool_choice"]); // the client's (default auto) choice: the model picks a tool or the answer
    }

    [Fact]
    public async Task Messages_ClaudeCodeModelName_RoutedAutoToNativeArm()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = Json("""{"model":"claude-sonnet-4-5","max_tokens":100,"system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":"Hi?"}]}"""),
        };
        request.Headers.Add("x-api-key", "gateway-key");
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await _gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal("claude-sonnet-4-5", message["model"]!.GetValue<string>());
        Assert.StartsWith("msg_", message["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Hello from Claude.", message["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("end_turn", message["stop_reason"]!.GetValue<string>());
        Assert.Equal(21, message["usage"]!["input_tokens"]!.GetValue<int>());
        var sent = Assert.Single(_claude.Received);
        Assert.Equal("Be brief.", sent["system"]!.GetValue<string>());
        Assert.Equal(100, sent["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task MessagesStreaming_EventSequenceWithUsage()
    {
        using var response = await _gateway.Http.PostAsync("/v1/messages",
            Json("""{"model":"claude-x","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hi?"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var events = body.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l[7..]).ToList();
        Assert.Equal(["message_start", "ping", "content_block_start", "content_block_delta"], events.Take(4));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events.TakeLast(3));
        var deltas = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
        Assert.Equal("Hello from Claude.", string.Concat(deltas.Where(d => d["type"]!.GetValue<string>() == "content_block_delta").Select(d => d["delta"]!["text"]!.GetValue<string>())));
        var messageDelta = deltas.Single(d => d["type"]!.GetValue<string>() == "message_delta");
        Assert.Equal(6, messageDelta["usage"]!["output_tokens"]!.GetValue<int>());
        Assert.Equal("end_turn", messageDelta["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task MessagesStreaming_OpenAiProtocolArmWithManyChunks_WholeEventSequence()
    {
        // The embedded default's simulated arms speak OpenAI and stream a chunk per word: every chunk after the first
        // is translated after the response has started (a header write there once cut the stream after one delta).
        await using var gateway = await GatewayHost.StartDefaultProfileAsync();

        using var response = await gateway.Http.PostAsync("/v1/messages",
            Json("""{"model":"gpt-4o-mini-sim","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Count to five, please."}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var data = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
        var deltas = data.Where(d => d["type"]!.GetValue<string>() == "content_block_delta").ToList();
        Assert.True(deltas.Count > 1, body);
        Assert.Equal("message_stop", data[^1]["type"]!.GetValue<string>());
        Assert.True(data.Single(d => d["type"]!.GetValue<string>() == "message_delta")["usage"]!["output_tokens"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task CountTokens_ReturnsInputTokens()
    {
        using var response = await _gateway.Http.PostAsync("/v1/messages/count_tokens",
            Json("""{"model":"claude-x","messages":[{"role":"user","content":"How many tokens is this sentence?"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var count = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt32();
        Assert.InRange(count, 5, 20);
        Assert.Empty(_claude.Received);
    }

    [Theory]
    [InlineData("""{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"claude-x","max_tokens":5,"messages":[{"role":"user",""", "JSON")]
    [InlineData("""{"model":"claude-x","max_tokens":5,"messages":[{"role":"wizard","content":"hi"}]}""", "role")]
    [InlineData("""{"model":"claude-x","max_tokens":5,"messages":"hi"}""", "messages")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public async Task Messages_BadRequest_AnthropicErrorEnvelope(string body, string mentions)
    {
        using var response = await _gateway.Http.PostAsync("/v1/messages", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("error", root.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", root.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(mentions, root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_claude.Received);
    }

    [Fact]
    public async Task Messages_UnknownPinnedModel_AnthropicNotFoundEnvelope()
    {
        using var response = await _gateway.Http.PostAsync("/v1/messages", Json("""{"model":"gpt-nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("not_found_error", root.GetProperty("error").GetProperty("type").GetString());
    }

    private const string CitySchema = """{"type":"object","properties":{"city":{"type":"string"},"population_millions":{"type":"integer"},"continent":{"type":"string","enum":["europe","asia"]}},"required":["city","population_millions","continent"],"additionalProperties":false}""";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private OpenAIClientOptions Options() => new() { Endpoint = _gateway.OpenAiEndpoint, NetworkTimeout = TimeSpan.FromSeconds(20) };
}
