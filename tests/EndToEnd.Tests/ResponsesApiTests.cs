using System.ClientModel;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only

namespace EndToEnd.Tests;

/// <summary>
/// <c>/v1/responses</c> on the embedded default (simulated arms) through the official OpenAI .NET SDK's
/// <see cref="ResponsesClient"/>: create, the typed stream, retrieve, input items, delete then 404, a function tool
/// call answered with <c>function_call_output</c>, structured output and <c>store: false</c>.
/// </summary>
public sealed class ResponsesApiTests : IAsyncLifetime
{
    private const string WeatherParameters =
        """{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location","unit"],"additionalProperties":false}""";

    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartDefaultProfileAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task DocsSnippet_ResponsesClient_WorksAsWritten()
    {
        // docs/clients.md, "OpenAI .NET":
        var client = new ResponsesClient(new ApiKeyCredential("unused-by-the-gateway"),
            new ResponsesClientOptions { Endpoint = _gateway.OpenAiEndpoint });

        ResponseResult response = await client.CreateResponseAsync("auto", "What is the capital of France?", previousResponseId: null);
        ResponseResult followUp = await client.CreateResponseAsync("auto", "And of Spain?", response.Id);
        string text = followUp.GetOutputText();
        // end

        Assert.Contains("capital of France", response.GetOutputText(), StringComparison.Ordinal);
        Assert.Contains("And of Spain?", text, StringComparison.Ordinal);
        Assert.True(followUp.Usage.InputTokenCount > response.Usage.InputTokenCount, "the follow-up carries the first turn");
    }

    [Fact]
    public async Task Create_Auto_ResponseWithOutputTextUsageAndTheRoutedRequestsHeaders()
    {
        var options = new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("What is the capital of France?")]) { Instructions = "Be brief." };

        var result = await Client().CreateResponseAsync(options);
        var response = result.Value;

        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Contains("What is the capital of France?", response.GetOutputText(), StringComparison.Ordinal);
        Assert.True(response.Usage.InputTokenCount > 0 && response.Usage.OutputTokenCount > 0);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-router-request-id", out var requestId));
        Assert.True(raw.Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal(response.Id["resp_".Length..], requestId!["req_".Length..]);
        var completion = await _gateway.Observer.WaitForAsync(requestId);
        Assert.Equal(arm, completion.Arm);
        Assert.Equal(response.Usage.InputTokenCount, completion.PromptTokens); // metered once, from the same usage
        Assert.Equal(response.Usage.OutputTokenCount, completion.CompletionTokens);
        Assert.True(completion.CostUsd > 0);
    }

    [Fact]
    public async Task CreateStreaming_EventsInOrderWithSequenceNumbers_DeltasMakeTheCompletedText()
    {
        var updates = new List<StreamingResponseUpdate>();
        var text = new StringBuilder();

        await foreach (var update in await Client().CreateResponseStreamingAsync("auto", "Count to five.", previousResponseId: null))
        {
            updates.Add(update);
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
        }

        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.IsType<StreamingResponseInProgressUpdate>(updates[1]);
        Assert.IsType<StreamingResponseOutputItemAddedUpdate>(updates[2]);
        Assert.IsType<StreamingResponseContentPartAddedUpdate>(updates[3]);
        Assert.IsType<StreamingResponseOutputTextDeltaUpdate>(updates[4]);
        var tail = updates.TakeLast(4).Select(u => u.GetType()).ToArray();
        Assert.Equal([typeof(StreamingResponseOutputTextDoneUpdate), typeof(StreamingResponseContentPartDoneUpdate),
            typeof(StreamingResponseOutputItemDoneUpdate), typeof(StreamingResponseCompletedUpdate)], tail);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        var completed = ((StreamingResponseCompletedUpdate)updates[^1]).Response;
        Assert.Contains("Count to five.", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(text.ToString(), completed.GetOutputText());
        Assert.Equal(text.ToString(), ((StreamingResponseOutputTextDoneUpdate)updates[^4]).Text);
        Assert.True(completed.Usage.InputTokenCount > 0 && completed.Usage.OutputTokenCount > 0);

        var stored = await Client().GetResponseAsync(completed.Id);
        Assert.Equal(text.ToString(), stored.Value.GetOutputText());
    }

    [Fact]
    public async Task RetrieveInputItemsDelete_ThenRetrieveIs404()
    {
        var client = Client();
        var created = (await client.CreateResponseAsync("auto", "Name three rivers.", previousResponseId: null)).Value;

        var retrieved = (await client.GetResponseAsync(created.Id)).Value;
        var items = new List<ResponseItem>();
        await foreach (var item in client.GetResponseInputItemsAsync(created.Id))
        {
            items.Add(item);
        }

        var deleted = (await client.DeleteResponseAsync(created.Id)).Value;
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(created.Id));

        Assert.Equal(created.Id, retrieved.Id);
        Assert.Equal(created.GetOutputText(), retrieved.GetOutputText());
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(items));
        Assert.Equal(MessageRole.User, message.Role);
        Assert.Equal("Name three rivers.", message.Content[0].Text);
        Assert.True(deleted.Deleted);
        Assert.Equal(created.Id, deleted.ResponseId);
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task FunctionTool_RequiredChoice_FunctionCallItem_ThenTheOutputContinuesTheConversation()
    {
        var client = Client();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherParameters), strictModeEnabled: true, "Current weather for a city");
        var first = (await client.CreateResponseAsync(new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("What's the weather in Paris?")])
        {
            Tools = { tool },
            ToolChoice = ResponseToolChoice.CreateRequiredChoice(),
        })).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        using var arguments = JsonDocument.Parse(call.FunctionArguments);

        var second = (await client.CreateResponseAsync(new CreateResponseOptions("auto", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temperature_c":21}""")])
        {
            Tools = { tool },
            PreviousResponseId = first.Id,
        })).Value;

        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Paris", arguments.RootElement.GetProperty("location").GetString());
        Assert.Contains(arguments.RootElement.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
        Assert.Equal(first.Id, second.PreviousResponseId);
        Assert.False(string.IsNullOrEmpty(second.GetOutputText()));
        Assert.True(second.Usage.InputTokenCount > first.Usage.InputTokenCount, "the second turn carries the first");
    }

    [Fact]
    public async Task CreateStreaming_RequiredTool_ArgumentsStreamAsDeltasAndTheDoneItemIsTheCall()
    {
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherParameters), strictModeEnabled: true, "Current weather for a city");
        var options = new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("What's the weather in Paris?")])
        {
            Tools = { tool },
            ToolChoice = ResponseToolChoice.CreateRequiredChoice(),
            StreamingEnabled = true,
        };
        var deltas = new StringBuilder();
        StreamingResponseFunctionCallArgumentsDoneUpdate? done = null;
        FunctionCallResponseItem? item = null;
        ResponseResult? completed = null;

        await foreach (var update in await Client().CreateResponseStreamingAsync(options))
        {
            switch (update)
            {
                case StreamingResponseFunctionCallArgumentsDeltaUpdate delta:
                    deltas.Append(delta.Delta.ToString());
                    break;
                case StreamingResponseFunctionCallArgumentsDoneUpdate argumentsDone:
                    done = argumentsDone;
                    break;
                case StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem call }:
                    item = call;
                    break;
                case StreamingResponseCompletedUpdate end:
                    completed = end.Response;
                    break;
            }
        }

        Assert.NotNull(done);
        Assert.NotNull(item);
        Assert.NotNull(completed);
        Assert.Equal(deltas.ToString(), done.FunctionArguments.ToString());
        Assert.Equal(deltas.ToString(), item.FunctionArguments.ToString());
        Assert.Equal("get_weather", item.FunctionName);
        using var arguments = JsonDocument.Parse(deltas.ToString());
        Assert.Equal("Paris", arguments.RootElement.GetProperty("location").GetString());
        Assert.Equal(item.CallId, Assert.IsType<FunctionCallResponseItem>(Assert.Single(completed.OutputItems)).CallId);
    }

    [Fact]
    public async Task TextFormatJsonSchema_OutputParsesWithTheSchemasFields()
    {
        const string Schema = """{"type":"object","properties":{"title":{"type":"string"},"rating":{"type":"integer","minimum":1,"maximum":5}},"required":["title","rating"],"additionalProperties":false}""";
        var options = new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("Review the film Alien.")])
        {
            TextOptions = new ResponseTextOptions { TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("review", BinaryData.FromString(Schema), jsonSchemaIsStrict: true) },
        };

        var response = (await Client().CreateResponseAsync(options)).Value;
        using var review = JsonDocument.Parse(response.GetOutputText());

        Assert.Equal(JsonValueKind.String, review.RootElement.GetProperty("title").ValueKind);
        Assert.InRange(review.RootElement.GetProperty("rating").GetInt32(), 1, 5);
        Assert.Equal(ResponseTextFormatKind.JsonSchema, response.TextOptions.TextFormat.Kind);
    }

    [Fact]
    public async Task StoreFalse_NotRetrievable_AndNotAPreviousResponse()
    {
        var client = Client();
        var unstored = (await client.CreateResponseAsync(new CreateResponseOptions("auto", [ResponseItem.CreateUserMessageItem("Hi")]) { StoredOutputEnabled = false })).Value;

        var get = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(unstored.Id));
        var follow = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync("auto", "Again", unstored.Id));

        Assert.False(string.IsNullOrEmpty(unstored.GetOutputText()));
        Assert.Equal(404, get.Status);
        Assert.Equal(400, follow.Status);
        Assert.Contains("previous_response_not_found", follow.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
    }

    private ResponsesClient Client() => new(new ApiKeyCredential("any-key"), new ResponsesClientOptions { Endpoint = _gateway.OpenAiEndpoint });
}
