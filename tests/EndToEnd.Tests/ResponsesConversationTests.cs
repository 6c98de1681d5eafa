using System.ClientModel;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using OpenAI.Responses;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only

namespace EndToEnd.Tests;

/// <summary>
/// <c>previous_response_id</c> and key isolation of stored responses, against a recording local OpenAI upstream
/// (what reached it is asserted) with client keys on: the earlier turns are prepended, the earlier
/// <c>instructions</c> are not, and a key sees only its own responses.
/// </summary>
public sealed class ResponsesConversationTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;
    private string _alice = null!;
    private string _bob = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "echo", _upstream.BaseUrl, 1, 2),
            new Dictionary<string, string?> { ["Router:AdminKey"] = AdminKey }));
        (_, _alice) = await CreateKeyAsync(_gateway, new { name = "alice" });
        (_, _bob) = await CreateKeyAsync(_gateway, new { name = "bob" });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task PreviousResponseId_UpstreamReceivesTheEarlierTurnsWithoutTheEarlierInstructions()
    {
        var client = Client(_alice);
        var first = (await client.CreateResponseAsync(new CreateResponseOptions("echo", [ResponseItem.CreateUserMessageItem("First question")])
        {
            Instructions = "Be brief.",
        })).Value;

        var second = (await client.CreateResponseAsync(new CreateResponseOptions("echo", [ResponseItem.CreateUserMessageItem("Second question")])
        {
            PreviousResponseId = first.Id,
            Instructions = "Answer in French.",
            MaxOutputTokenCount = 50,
        })).Value;

        var sent = _upstream.Received.Select(r => r.Body).ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal([("system", "Be brief."), ("user", "First question")], Turns(sent[0]));
        Assert.Equal(
            [("system", "Answer in French."), ("user", "First question"), ("assistant", "Hello from the test upstream."), ("user", "Second question")],
            Turns(sent[1]));
        Assert.Equal(50, sent[1]["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("Hello from the test upstream.", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
        var items = new List<ResponseItem>();
        await foreach (var item in client.GetResponseInputItemsAsync(second.Id))
        {
            items.Add(item);
        }

        Assert.Equal("Second question", Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(items)).Content[0].Text); // the request's own input
    }

    [Fact]
    public async Task AnotherKeysResponse_IsNotFound_AndCannotBeContinuedOrDeleted()
    {
        var alices = (await Client(_alice).CreateResponseAsync("echo", "A private question", previousResponseId: null)).Value;
        var bob = Client(_bob);

        var get = await Assert.ThrowsAsync<ClientResultException>(() => bob.GetResponseAsync(alices.Id));
        var delete = await Assert.ThrowsAsync<ClientResultException>(() => bob.DeleteResponseAsync(alices.Id));
        var follow = await Assert.ThrowsAsync<ClientResultException>(() => bob.CreateResponseAsync("echo", "What did she ask?", alices.Id));
        var stillThere = (await Client(_alice).GetResponseAsync(alices.Id)).Value;

        Assert.Equal(404, get.Status);
        Assert.Equal(404, delete.Status);
        Assert.Equal(400, follow.Status);
        Assert.Equal(alices.Id, stillThere.Id);
        Assert.Single(_upstream.Received); // Bob's follow-up never reached the upstream
    }

    private static (string Role, string Text)[] Turns(JsonObject chat) =>
        [.. chat["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>()))];

    private ResponsesClient Client(string secret) => new(new ApiKeyCredential(secret), new ResponsesClientOptions { Endpoint = _gateway.OpenAiEndpoint });
}
