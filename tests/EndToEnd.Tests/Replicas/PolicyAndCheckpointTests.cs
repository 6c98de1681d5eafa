using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Router.Gateway.Decisions;
using Router.Gateway.Pipeline;

namespace EndToEnd.Tests.Replicas;

/// <summary>Per-key policy precedence, and a learned state carried over a restart by an exported checkpoint.</summary>
public sealed class PolicyAndCheckpointTests
{
    [Fact]
    public async Task Route_KeyPolicyOverGlobal_RequestHeadersOverKey()
    {
        // Stand-in for authentication: the test names the caller's key id in a header.
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>(), app => app.Use((context, next) =>
        {
            if (context.Request.Headers["x-test-key-id"] is { Count: > 0 } key)
            {
                context.Items[RequestPipeline.ApiKeyIdItem] = key.ToString();
            }

            return next(context);
        }));
        using var global = await gateway.Admin.PutAsJsonAsync("/admin/policy", new { lambda = 1000 });
        using var perKey = await gateway.Admin.PutAsJsonAsync("/admin/policy/keys/team-cheap", new { lambda = 0 });
        Assert.Equal(HttpStatusCode.OK, global.StatusCode);
        Assert.Equal(HttpStatusCode.OK, perKey.StatusCode);

        Assert.Equal("gpt-4o-sim", await RouteAsync(gateway, key: null, lambdaHeader: null));
        Assert.Equal("llama-3-8b-sim", await RouteAsync(gateway, key: "team-cheap", lambdaHeader: null));
        Assert.Equal("gpt-4o-sim", await RouteAsync(gateway, key: "team-cheap", lambdaHeader: "1000"));
        Assert.Equal("gpt-4o-sim", await RouteAsync(gateway, key: "other-team", lambdaHeader: null));
    }

    [Fact]
    public async Task Restart_FromExportedCheckpoint_KeepsWhatFeedbackTaught()
    {
        const string query = "Translate 'good morning' into German.";
        var checkpoint = Path.Combine(Path.GetTempPath(), "router-e2e-checkpoint-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            string avoided;
            long learnedEvents;
            await using (var first = await ReplicaHost.StartAsync(new Dictionary<string, string?>()))
            {
                var (requestId, arm, _) = await first.ChatAsync(query);
                avoided = arm;
                var sent = 0;
                while (arm == avoided && sent < 12)
                {
                    Assert.Equal(HttpStatusCode.Accepted, (await first.FeedbackAsync(new { request_id = requestId, score = 0.0 })).Status);
                    sent++;
                    await first.WaitForStatsAsync(s => s.GetProperty("feedbackApplied").GetInt64() == sent);
                    (requestId, arm, _) = await first.ChatAsync(query);
                }

                Assert.NotEqual(avoided, arm);
                using var export = await first.Admin.PostAsync("/admin/checkpoint", null);
                Assert.Equal(HttpStatusCode.OK, export.StatusCode);
                await File.WriteAllBytesAsync(checkpoint, await export.Content.ReadAsByteArrayAsync());
                learnedEvents = (await first.StatsAsync()).GetProperty("engineEventsApplied").GetInt64();
            }

            await using var second = await ReplicaHost.StartAsync(new Dictionary<string, string?> { ["Router:CheckpointPath"] = checkpoint });
            var stats = await second.StatsAsync();
            Assert.True(stats.GetProperty("engineEventsApplied").GetInt64() >= learnedEvents, "the engine starts from the checkpoint's learned state");
            var (_, again, policy) = await second.ChatAsync(query);
            Assert.Equal("mixllm", policy);
            Assert.NotEqual(avoided, again);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    [Fact]
    public async Task Feedback_AfterFallback_CreditedToTheArmThatServed()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>
        {
            ["Router:DefaultPolicy:Lambda"] = "1000",                 // the engine ranks gpt-4o-sim first ...
            ["Router:Arms:0:Simulation:FailWithStatus"] = "503",      // ... and it fails before the first byte
        });
        var (requestId, served, _) = await gateway.ChatAsync("Which arm answers this?");
        Assert.NotEqual("gpt-4o-sim", served);
        var decisions = gateway.Services.GetRequiredService<IDecisionStore>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await decisions.FindAsync(requestId, CancellationToken.None))?.Decision.ChosenArm != served && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var (status, body) = await gateway.FeedbackAsync(new { request_id = requestId, thumbs = "up" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Contains($"\"arm\":\"{served}\"", body, StringComparison.Ordinal);
    }

    private static async Task<string> RouteAsync(ReplicaHost gateway, string? key, string? lambdaHeader)
    {
        var body = JsonSerializer.Serialize(new { model = "auto", messages = new[] { new { role = "user", content = "Tell me about tides." } } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("x-test-key-id", key);
        }

        if (lambdaHeader is not null)
        {
            request.Headers.Add("x-router-lambda", lambdaHeader);
        }

        using var response = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-router-arm").Single();
    }
}
