using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace EndToEnd.Tests.Replicas;

/// <summary>Personalised routing on two gateway replicas sharing one real redis-server (docs/personalisation.md).</summary>
public sealed class PersonalisationReplicaTests(ReplicaRedis redis) : IClassFixture<ReplicaRedis>
{
    [RedisFact]
    public async Task UserFeedback_ThroughBothReplicas_SamePersonalTermsAndForgetRemovesThemEverywhere()
    {
        var prefix = ReplicaRedis.NewPrefix();
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        await using var b = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, prefix));
        var replicas = new[] { a, b };

        // Alice (OpenAI `user`, sent by the official SDK) dislikes every answer; Bob likes his.
        var ratedArms = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            var (id, arm) = await ChatAsUserAsync(replicas[i % 2], "alice", $"Explain consistent hashing, variant {i}.");
            ratedArms.Add(arm);
            var (status, body) = await replicas[(i + 1) % 2].FeedbackAsync(new { request_id = id, score = 0.0 });
            Assert.True(status == HttpStatusCode.Accepted, body);
        }

        var (bobId, _) = await ChatAsUserAsync(b, "bob", "What is a Bloom filter?");
        Assert.Equal(HttpStatusCode.Accepted, (await a.FeedbackAsync(new { request_id = bobId, score = 1.0 })).Status);
        var (sa, sb) = await TwoReplicaTests.WaitConvergedAsync(a, b, feedback: 7);
        Assert.Equal(sa.GetProperty("personalHash").GetString(), sb.GetProperty("personalHash").GetString());
        Assert.Equal(2, sa.GetProperty("personalUsers").GetInt32());

        // Both replicas hold the same personal terms for Alice: negative on every arm she scored 0.
        var viewA = await UserAsync(a, "alice");
        var viewB = await UserAsync(b, "alice");
        Assert.Equal(HttpStatusCode.OK, viewA.Status);
        Assert.Equal(viewA.Body, viewB.Body);
        using (var json = JsonDocument.Parse(viewA.Body))
        {
            Assert.Equal(6, json.RootElement.GetProperty("feedbackCount").GetInt64());
            Assert.StartsWith("h:", json.RootElement.GetProperty("user").GetString(), StringComparison.Ordinal);   // hashed by default
            foreach (var arm in json.RootElement.GetProperty("arms").EnumerateArray().Where(x => ratedArms.Contains(x.GetProperty("arm").GetString()!)))
            {
                Assert.True(arm.GetProperty("ratings").GetInt32() > 0);
                Assert.True(arm.GetProperty("personalTerm").GetDouble() < 0, arm.ToString());
                Assert.InRange(arm.GetProperty("shrinkageWeight").GetDouble(), 0.0001, 0.9999);
            }
        }

        // x-router-debug shows Alice's personal term per arm on either replica; an anonymous request has none.
        var aliceDebug = await DebugScoresAsync(b, "alice");
        Assert.Contains(aliceDebug, s => ratedArms.Contains(s.Arm) && s.Personal < 0);
        Assert.All(await DebugScoresAsync(a, null), s => Assert.Equal(0, s.Personal));

        // The clear user id never reaches the shared log (Router:Privacy:HashUsers is on by default).
        var log = await ReplicaRedis.ReadLogAsync(a);
        Assert.DoesNotContain(log, e => Encoding.UTF8.GetString(e.Payload.Span).Contains("alice", StringComparison.Ordinal));

        // Forget Alice through A: both replicas fold the event; Bob is untouched.
        using (var forget = await a.Admin.DeleteAsync("/admin/users/alice"))
        {
            Assert.Equal(HttpStatusCode.Accepted, forget.StatusCode);
        }

        foreach (var replica in replicas)
        {
            await replica.WaitForStatsAsync(s => s.GetProperty("personalUsers").GetInt32() == 1, what: "alice forgotten");
            Assert.Equal(HttpStatusCode.NotFound, (await UserAsync(replica, "alice")).Status);
            Assert.Equal(HttpStatusCode.OK, (await UserAsync(replica, "bob")).Status);
        }

        Assert.All(await DebugScoresAsync(b, "alice"), s => Assert.Equal(0, s.Personal));
        var (fa, fb) = (await a.StatsAsync(), await b.StatsAsync());
        Assert.Equal(fa.GetProperty("stateHash").GetString(), fb.GetProperty("stateHash").GetString());
        Assert.Single(await ReplicaRedis.ReadLogAsync(b), e => e.Kind == "user-forgotten");
    }

    [RedisFact]
    public async Task AdminUsers_BadInput_Answers4xx()
    {
        await using var a = await ReplicaHost.StartAsync(ReplicaHost.OnRedis(redis.Server, ReplicaRedis.NewPrefix()));

        Assert.Equal(HttpStatusCode.NotFound, (await UserAsync(a, "nobody")).Status);
        using (var forget = await a.Admin.DeleteAsync("/admin/users/nobody"))
        {
            Assert.Equal(HttpStatusCode.NotFound, forget.StatusCode);
            Assert.Contains("application/problem+json", forget.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        }

        var huge = await UserAsync(a, new string('x', 257));
        Assert.Equal(HttpStatusCode.BadRequest, huge.Status);
        Assert.Contains("\"id\"", huge.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await UserAsync(a, "bad\u0001id")).Status);
        using (var huge2 = await a.Admin.DeleteAsync("/admin/users/" + new string('y', 300)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, huge2.StatusCode);
        }

        using var anonymous = await a.Http.GetAsync("/admin/users/nobody");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task<(string RequestId, string Arm)> ChatAsUserAsync(ReplicaHost replica, string user, string text)
    {
        var client = new ChatClient("auto", new ApiKeyCredential("no-key-needed"), new OpenAIClientOptions { Endpoint = replica.OpenAiEndpoint });
        var result = await client.CompleteChatAsync([new UserChatMessage(text)], new ChatCompletionOptions { EndUserId = user });
        var headers = result.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("x-router-request-id", out var id));
        Assert.True(headers.TryGetValue("x-router-arm", out var arm));
        return (id!, arm!);
    }

    private static async Task<(HttpStatusCode Status, string Body)> UserAsync(ReplicaHost replica, string id)
    {
        using var response = await replica.Admin.GetAsync("/admin/users/" + Uri.EscapeDataString(id));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // The per-arm "personal" of x-router-decision for an auto request (raw HTTP: the SDK sends no custom headers).
    private static async Task<List<(string Arm, double Personal)>> DebugScoresAsync(ReplicaHost replica, string? user)
    {
        var body = JsonSerializer.Serialize(user is null
            ? (object)new { model = "auto", messages = new[] { new { role = "user", content = "Explain consistent hashing." } } }
            : new { model = "auto", user, messages = new[] { new { role = "user", content = "Explain consistent hashing." } } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-router-debug", "1");
        using var response = await replica.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("x-router-decision", out var values));
        using var json = JsonDocument.Parse(values.Single());
        return [.. json.RootElement.GetProperty("scores").EnumerateArray().Select(s => (s.GetProperty("arm").GetString()!, s.GetProperty("personal").GetDouble()))];
    }
}
