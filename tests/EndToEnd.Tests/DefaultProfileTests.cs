using System.ClientModel;
using System.Text;
using EndToEnd.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace EndToEnd.Tests;

/// <summary>
/// The embedded default: the gateway with src/Gateway/appsettings.json alone (simulated arms, no keys, no Redis, no
/// internet) answers routed requests through the SDK, streamed and not.
/// </summary>
public sealed class DefaultProfileTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartDefaultProfileAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CompleteChat_DefaultProfileAuto_AnswersFromTheCheapestSimulatedArm()
    {
        var client = new ChatClient("auto", new ApiKeyCredential("no-key-needed"), new OpenAIClientOptions { Endpoint = _gateway.OpenAiEndpoint });

        var result = await client.CompleteChatAsync([new UserChatMessage("What is the capital of France?")]);

        Assert.Contains("capital of France", result.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal("llama-3-8b-sim", arm);
        Assert.True(result.Value.Usage.InputTokenCount > 0);
        Assert.True(result.Value.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task CompleteChatStreaming_DefaultProfilePinned_StreamsWithUsage()
    {
        var client = new ChatClient("gpt-4o-sim", new ApiKeyCredential("no-key-needed"), new OpenAIClientOptions { Endpoint = _gateway.OpenAiEndpoint });

        var text = new StringBuilder();
        var updates = 0;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Stream please")]))
        {
            updates++;
            text.AppendJoin("", update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.StartsWith("[gpt-4o-sim]", text.ToString(), StringComparison.Ordinal);
        Assert.True(updates > 3, $"only {updates} updates");
        Assert.NotNull(usage);
        var completion = Assert.Single(await _gateway.Observer.WaitForCountAsync(1));
        Assert.Equal(usage.OutputTokenCount, completion.CompletionTokens);
        Assert.False(completion.UsageEstimated);
        Assert.Equal((completion.PromptTokens * 2.5 + completion.CompletionTokens * 10.0) / 1e6, completion.CostUsd, 12);
    }

    [Fact]
    public async Task ReadmeQuickstart_SdkSnippet_WorksAsWritten()
    {
        // The README's C# quickstart, verbatim apart from the endpoint.
        var client = new ChatClient("auto", new ApiKeyCredential("unused-by-the-gateway"),
            new OpenAIClientOptions { Endpoint = _gateway.OpenAiEndpoint });

        ChatCompletion answer = await client.CompleteChatAsync("What is the capital of France?");
        var streamed = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync("Count to five."))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Contains("capital of France", answer.Content[0].Text, StringComparison.Ordinal);
        Assert.Contains("Count to five.", streamed.ToString(), StringComparison.Ordinal);
    }
}
