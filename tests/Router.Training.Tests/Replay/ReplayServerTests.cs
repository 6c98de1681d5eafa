using System.ClientModel;
using System.Net;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;
using Router.Training.Data;
using Router.Training.Replay;

namespace Router.Training.Tests.Replay;

public sealed class ReplayServerTests : IAsyncLifetime
{
    private readonly RoutingDataset _data;
    private WebApplication? _app;

    public ReplayServerTests()
    {
        var dir = DataFiles.NewTempFolder();
        var path = DataFiles.CutCsv(Path.Combine(DataFiles.RouterBench, "mbpp_train.csv"), Path.Combine(dir, "mbpp.csv"), 3);
        _data = DatasetLoader.Load([path]);
    }

    public async Task InitializeAsync()
    {
        _app = ReplayServer.Build(new ReplayStore(_data), [], new ReplayOptions { LatencyScale = 0 }, "http://127.0.0.1:0");
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task ChatCompletion_KnownPrompt_ReturnsRecordedAnswerAndUsage()
    {
        var (model, query, outcome) = Recorded("gpt-4-1106-preview");

        ChatCompletion completion = await Client(model).CompleteChatAsync([new UserChatMessage(query.Prompt)]);

        Assert.Equal(outcome.Response, completion.Content[0].Text);
        Assert.Equal(outcome.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(outcome.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(model, completion.Model);
    }

    [Fact]
    public async Task ChatCompletion_Streaming_ReassemblesTheAnswerWithUsageLast()
    {
        var (model, query, outcome) = Recorded("zero-one-ai/Yi-34B-Chat");
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in Client(model).CompleteChatStreamingAsync([new SystemChatMessage("be brief"), new UserChatMessage(query.Prompt)]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal(outcome.Response, text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(outcome.CompletionTokens, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task ChatCompletion_UnknownPrompt_GetsMarkedFallback()
    {
        ChatCompletion completion = await Client("claude-v2").CompleteChatAsync([new UserChatMessage("a prompt nobody recorded")]);

        Assert.StartsWith(ReplayServer.FallbackPrefix, completion.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_ListsEveryArm_AndUnknownModelIsAnOpenAiError()
    {
        var models = await new OpenAIClient(new ApiKeyCredential("k"), Options()).GetOpenAIModelClient().GetModelsAsync();
        Assert.Equal(_data.Arms.Order(), models.Value.Select(m => m.Id).Order());

        var e = await Assert.ThrowsAsync<ClientResultException>(() => Client("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal((int)HttpStatusCode.NotFound, e.Status);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletion_BadJson_Is400WithErrorEnvelope()
    {
        using var http = new HttpClient();
        var response = await http.PostAsync(new Uri(_app!.Urls.First() + "/v1/chat/completions"), new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        Assert.Contains("invalid_request_error", body, StringComparison.Ordinal);
    }

    private (string Model, DatasetQuery Query, ArmOutcome Outcome) Recorded(string model)
    {
        var a = _data.ArmIndex(model);
        var query = _data.Queries.First(q => q.Outcomes[a]?.Response is { Length: > 20 });
        return (model, query, query.Outcomes[a]!);
    }

    private ChatClient Client(string model) => new(model, new ApiKeyCredential("k"), Options());

    private OpenAIClientOptions Options() => new() { Endpoint = new Uri(_app!.Urls.First() + "/v1") };
}
