using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;
using EndToEnd.Tests.Infrastructure;
using EndToEnd.Tests.Replicas;

namespace EndToEnd.Tests;

/// <summary>
/// The official Anthropic .NET SDK against the whole product on loopback: the embedded default (simulated arms, MixLLM
/// for <c>auto</c>) plus one native <c>anthropic</c> arm hot-added through <c>POST /admin/arms</c> in front of the
/// strict local Anthropic upstream.
/// </summary>
public sealed class AnthropicSdkTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_ANTHROPIC_SDK_UPSTREAM_KEY";
    private const string Secret = "sk-ant-sdk-test-0123456789";
    private const string Arm = "claude-x";
    private AnthropicUpstream _claude = null!;
    private ReplicaHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, Secret);
        _claude = await AnthropicUpstream.StartAsync(Secret);
        _gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using var added = await _gateway.Admin.PostAsJsonAsync("/admin/arms", new
        {
            name = Arm,
            provider = "anthropic",
            baseUrl = _claude.BaseUrl.ToString(),
            upstreamModel = "claude-sonnet-4-5-20250929",
            apiKeyEnv = KeyEnv,
            inputPricePerMillion = 3.0,
            outputPricePerMillion = 15.0,
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _claude.DisposeAsync();
    }

    [Fact]
    public async Task MessagesCreate_HotAddedNativeArm_ReceivesSystemAndKeyAndAnswers()
    {
        using var client = Client();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = Arm,
            MaxTokens = 200,
            System = "Be brief.",
            Messages = [new UserMessageParam("Hi?")],
        });

        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.Equal("Hello from Claude.", Texts(message));
        Assert.Equal("end_turn", (string)message.StopReason!);
        Assert.Equal(21, message.Usage.InputTokens);
        Assert.Equal(5, message.Usage.OutputTokens);
        var sent = Assert.Single(_claude.Received);
        Assert.Equal("Be brief.", sent["system"]!.GetValue<string>());
        Assert.Equal(200, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal("claude-sonnet-4-5-20250929", sent["model"]!.GetValue<string>());
        Assert.Equal(Secret, Assert.Single(_claude.ReceivedApiKeys)); // the arm's key, not the client's
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("claude-sonnet-4-5")] // Claude Code's name: the default alias claude-* → auto
    public async Task MessagesCreate_AutoAndClaudeAlias_RoutedByTheEngine(string model)
    {
        using var client = Client();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = model,
            MaxTokens = 256,
            Messages = [new UserMessageParam("What is the capital of France?")],
        });

        Assert.Equal(model, (string)message.Model);
        Assert.False(string.IsNullOrWhiteSpace(Texts(message)));
        Assert.True(message.Usage.OutputTokens > 0);
    }

    [Theory]
    [InlineData(Arm)]
    [InlineData("auto")]
    public async Task MessagesCreateStreaming_TextDeltasAndUsage(string model)
    {
        using var client = Client();
        var text = new StringBuilder();
        var types = new List<string>();
        long? outputTokens = null;

        await foreach (var update in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = model,
            MaxTokens = 256,
            Messages = [new UserMessageParam("Count to five, please.")],
        }))
        {
            types.Add(update.Json.GetProperty("type").GetString()!);
            if (update.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var part))
            {
                text.Append(part.Text);
            }

            if (update.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.Equal("message_start", types[0]);
        Assert.Equal("message_stop", types[^1]);
        Assert.False(string.IsNullOrWhiteSpace(text.ToString()));
        if (model == Arm)
        {
            Assert.Equal("Hello from Claude.", text.ToString());
            Assert.Equal(6, outputTokens);
            Assert.True(Assert.Single(_claude.Received)["stream"]!.GetValue<bool>());
        }
        else
        {
            Assert.True(outputTokens > 0);
        }
    }

    [Fact]
    public async Task CountTokens_WithSdk_InputTokensWithoutUpstreamCall()
    {
        using var client = Client();

        var count = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = Arm,
            System = "Be brief.",
            Messages = [new UserMessageParam("How many tokens is this sentence?")],
        });

        Assert.InRange(count.InputTokens, 5, 30);
        Assert.Empty(_claude.Received);
    }

    [Fact]
    public async Task ToolUse_RoundTripThroughNativeArm_ToolUseAndToolResultArriveAsBlocks()
    {
        _claude.AnswerToolUse = true;
        using var client = Client();
        ToolUnion weather = new Tool
        {
            Name = "get_weather",
            Description = "Weather of a city",
            InputSchema = new InputSchema
            {
                Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                Required = ["city"],
            },
        };

        var first = await client.Messages.Create(new MessageCreateParams
        {
            Model = Arm,
            MaxTokens = 200,
            Tools = [weather],
            ToolChoice = new ToolChoiceAny(),
            Messages = [new UserMessageParam("What's the weather in Paris?")],
        });

        Assert.Equal("tool_use", (string)first.StopReason!);
        var call = Assert.Single(first.Content.Select(b => b.Value).OfType<ToolUseBlock>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Input["city"].GetString());

        _claude.AnswerToolUse = false;
        var second = await client.Messages.Create(new MessageCreateParams
        {
            Model = Arm,
            MaxTokens = 200,
            Tools = [weather],
            Messages =
            [
                new UserMessageParam("What's the weather in Paris?"),
                new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input } }),
                new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.ID) { Content = "18 °C and sunny" } }),
            ],
        });

        Assert.Equal("Hello from Claude.", Texts(second));
        var sent = _claude.Received.Last();
        var turns = sent["messages"]!.AsArray();
        Assert.Equal(3, turns.Count);
        var toolUse = turns[1]!["content"]![0]!;
        Assert.Equal("tool_use", toolUse["type"]!.GetValue<string>());
        Assert.Equal(call.ID, toolUse["id"]!.GetValue<string>());
        Assert.Equal("Paris", toolUse["input"]!["city"]!.GetValue<string>());
        var toolResult = turns[2]!["content"]![0]!;
        Assert.Equal("tool_result", toolResult["type"]!.GetValue<string>());
        Assert.Equal(call.ID, toolResult["tool_use_id"]!.GetValue<string>());
        Assert.Equal("18 °C and sunny", toolResult["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolUse_OpenAiProtocolSimulatedArm_ToolUseBlockWithSchemaInput()
    {
        using var client = Client();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-4o-mini-sim",
            MaxTokens = 200,
            Tools =
            [
                new Tool
                {
                    Name = "get_weather",
                    Description = "Current weather of a city",
                    InputSchema = new InputSchema
                    {
                        Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                        Required = ["city"],
                    },
                },
            ],
            ToolChoice = new ToolChoiceTool("get_weather"),
            Messages = [new UserMessageParam("What's the weather in Paris?")],
        });

        Assert.Equal("tool_use", (string)message.StopReason!);
        var call = Assert.Single(message.Content.Select(b => b.Value).OfType<ToolUseBlock>());
        Assert.Equal("get_weather", call.Name);
        Assert.StartsWith("call_", call.ID, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, call.Input["city"].ValueKind);
    }

    [Fact]
    public async Task Feedback_ByMessageId_ReachesTheRequestsDecision()
    {
        using var response = await _gateway.Http.PostAsync("/v1/messages", new StringContent(
            """{"model":"auto","max_tokens":100,"messages":[{"role":"user","content":"Explain how a hash table handles collisions."}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = response.Headers.GetValues("x-router-request-id").Single();
        var arm = response.Headers.GetValues("x-router-arm").Single();
        var messageId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.StartsWith("msg_", messageId, StringComparison.Ordinal);

        var (status, body) = await _gateway.FeedbackAsync(new { request_id = messageId, thumbs = "up" });
        var (retryStatus, retryBody) = await _gateway.FeedbackAsync(new { request_id = requestId, thumbs = "up" });

        Assert.True(status == HttpStatusCode.Accepted, body);
        var accepted = JsonNode.Parse(body)!;
        Assert.Equal(requestId, accepted["request_id"]!.GetValue<string>());
        Assert.Equal(arm, accepted["arm"]!.GetValue<string>());
        Assert.Equal("appended", accepted["status"]!.GetValue<string>());
        // The same request by its x-router-request-id: the same idempotency key, so counted once.
        Assert.True(retryStatus == HttpStatusCode.Accepted, retryBody);
        Assert.Equal("duplicate", JsonNode.Parse(retryBody)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Feedback_UnknownMessageId_404()
    {
        var (status, body) = await _gateway.FeedbackAsync(new { request_id = "msg_0123456789abcdef", score = 1.0 });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("request_not_found", JsonNode.Parse(body)!["error"]!["code"]!.GetValue<string>());
    }

    private static string Texts(Message message) =>
        string.Concat(message.Content.Select(b => b.Value).OfType<TextBlock>().Select(b => b.Text));

    // The SDK appends /v1/messages to its base URL: the gateway's root. No retries, so a refusal is seen as it is.
    private AnthropicClient Client() => new(new ClientOptions
    {
        BaseUrl = _gateway.Address.ToString().TrimEnd('/'),
        ApiKey = "client-key-unused-without-gateway-keys",
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(30),
    });
}
