using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// The Responses API in the whole product: feedback sent with a response id trains the decision of the request that
/// produced it, and, on a real redis-server, a conversation created on replica A is continued, read and deleted on B.
/// </summary>
public sealed class ResponsesReplicaTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    [Fact]
    public async Task Feedback_WithTheResponseId_LandsOnTheRoutedArmOfItsRequest()
    {
        await using var replica = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        var result = await Client(replica).CreateResponseAsync("auto", "Explain in one sentence why the sky is blue.", previousResponseId: null);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-arm", out var arm));
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-policy", out var policy));

        var (status, body) = await replica.FeedbackAsync(new { request_id = result.Value.Id, score = 0.9 });

        Assert.Equal("mixllm", policy);
        Assert.True(status == HttpStatusCode.Accepted, body);
        using (var accepted = JsonDocument.Parse(body))
        {
            Assert.Equal(arm, accepted.RootElement.GetProperty("arm").GetString());
        }

        var stats = await replica.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == 1, what: "the feedback by response id");
        var armStats = stats.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("name").GetString() == arm);
        Assert.Equal(1, armStats.GetProperty("scores").GetInt64());
    }

    [RedisFact]
    public async Task TwoReplicas_BContinuesReadsAndDeletesAConversationCreatedOnA()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        var first = (await Client(a).CreateResponseAsync("auto", "What is the capital of France?", previousResponseId: null)).Value;

        var followUp = (await Client(b).CreateResponseAsync("auto", "And of Spain?", first.Id)).Value;
        var readOnB = (await Client(b).GetResponseAsync(first.Id)).Value;
        using (var connection = redis.Server.Connect())
        {
            var server = connection.GetServer(connection.GetEndPoints()[0]);
            Assert.Equal(2, server.Keys(pattern: prefix + ":responses:*").Count());
        }

        var deleted = (await Client(b).DeleteResponseAsync(first.Id)).Value;
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => Client(a).GetResponseAsync(first.Id));

        Assert.Equal(first.Id, followUp.PreviousResponseId);
        Assert.True(followUp.Usage.InputTokenCount > first.Usage.InputTokenCount, "B prepended A's turn");
        Assert.Equal(first.GetOutputText(), readOnB.GetOutputText());
        Assert.True(deleted.Deleted);
        Assert.Equal(404, gone.Status);
    }

    private static ResponsesClient Client(ReplicaHost replica) =>
        new(new ApiKeyCredential("any-key"), new ResponsesClientOptions { Endpoint = replica.OpenAiEndpoint });
}
