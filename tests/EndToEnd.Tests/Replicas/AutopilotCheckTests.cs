using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;
using Router.Testing;
using Router.Training.Autopilot;
using Router.Training.Data;
using Router.Training.Replay;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// The autopilot check (<c>router autopilot-check</c>, <see cref="AutopilotCheck"/>) in small: RouterBench's 11 arms
/// at their list prices, answered by the replay of the committed fixtures (tests/fixtures/routerbench, 500 prompts with
/// recorded answers and usage), the real gateway with no checkpoint (cold-start priors), and the OpenAI SDK as the
/// client. Two cost targets in turn, 200 routed requests each: the realised cost of each second half must be within
/// ±15% of its target and λ must differ. (The full run with a trained checkpoint: scripts/autopilot-check.sh.)
/// </summary>
public sealed class AutopilotCheckTests : IAsyncLifetime
{
    private const int RequestsPerTarget = 200;
    private WebApplication? _replay;
    private ReplicaHost? _gateway;
    private string? _folder;

    public async Task InitializeAsync()
    {
        var data = DatasetLoader.Load([Path.Combine(TestData.Fixtures, "routerbench")]);
        _replay = ReplayServer.Build(new ReplayStore(data), [], new ReplayOptions { LatencyScale = 0 }, "http://127.0.0.1:0");
        await _replay.StartAsync();
        var replay = _replay.Urls.First().TrimEnd('/');

        // The shipped RouterBench arms file, its upstreams pointed at this replay.
        _folder = Path.Combine(Path.GetTempPath(), "router-autopilot-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var arms = Path.Combine(_folder, "arms.json");
        var shipped = await File.ReadAllTextAsync(Path.Combine(TestData.Fixtures, "..", "..", "deploy", "arms", "routerbench.json"));
        await File.WriteAllTextAsync(arms, shipped.Replace("http://127.0.0.1:8081", replay, StringComparison.Ordinal));
        _gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?> { ["Router:ArmsFile"] = arms });
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_replay is not null)
        {
            await _replay.DisposeAsync();
        }

        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TwoTargetsInTurn_ReplayedFixtures_EachSecondHalfWithin15PercentAndLambdaDiffers()
    {
        var gateway = _gateway!;
        var chat = new ChatClient("auto", new ApiKeyCredential("no-key-needed"), new OpenAIClientOptions { Endpoint = gateway.OpenAiEndpoint });
        async Task<(string, string)> Send(string prompt, CancellationToken cancellationToken)
        {
            var result = await chat.CompleteChatAsync([new UserChatMessage(prompt)], cancellationToken: cancellationToken);
            var headers = result.GetRawResponse().Headers;
            Assert.True(headers.TryGetValue("x-router-request-id", out var id));
            Assert.True(headers.TryGetValue("x-router-arm", out var arm));
            return (id!, arm!);
        }

        var prompts = AutopilotCheck.Shuffle(
            DatasetLoader.Load([Path.Combine(TestData.Fixtures, "routerbench")]).Queries.Select(q => q.Prompt).Distinct(StringComparer.Ordinal).ToList(), 42);
        double[] targets = [0.5, 1.5];

        var result = await AutopilotCheck.RunAsync(
            new GatewayAdminClient(gateway.Admin, ReplicaHost.AdminKey), prompts, targets, RequestsPerTarget, TimeProvider.System, Send, null, CancellationToken.None);

        var table = AutopilotReport.Table(result);
        Assert.Equal(2 * RequestsPerTarget, result.Points.Count);
        Assert.All(result.Phases, p => Assert.True(p.Holds, table));
        Assert.True(result.Phases[1].MeanLambda > result.Phases[0].MeanLambda, table); // a dearer target buys quality with a larger λ
        Assert.True(result.Passed, table);
    }

    [Fact]
    public async Task KeyWithItsOwnTarget_InterleavedWithGlobalTraffic_EachConvergesToItsOwnTarget()
    {
        // Two real API keys: "team" with its own target of $0.5 per 1k, "other" without one, so its requests feed the
        // global controller (target $1.5). Interleaved one to one, 200 requests each.
        var gateway = _gateway!;
        var team = await CreateKeyAsync(gateway, "team");
        var other = await CreateKeyAsync(gateway, "other");
        using (var global = await gateway.Admin.PutAsJsonAsync("/admin/policy", new { targetCostPer1kRequests = 1.5 }))
        using (var perKey = await gateway.Admin.PutAsJsonAsync($"/admin/policy/keys/{team.Id}", new { targetCostPer1kRequests = 0.5 }))
        {
            Assert.Equal(HttpStatusCode.OK, global.StatusCode);
            Assert.Equal(HttpStatusCode.OK, perKey.StatusCode);
        }

        var options = new OpenAIClientOptions { Endpoint = gateway.OpenAiEndpoint };
        var teamChat = new ChatClient("auto", new ApiKeyCredential(team.Secret), options);
        var otherChat = new ChatClient("auto", new ApiKeyCredential(other.Secret), options);
        var prompts = AutopilotCheck.Shuffle(
            DatasetLoader.Load([Path.Combine(TestData.Fixtures, "routerbench")]).Queries.Select(q => q.Prompt).Distinct(StringComparer.Ordinal).ToList(), 7);
        for (var i = 0; i < 2 * RequestsPerTarget; i++)
        {
            await (i % 2 == 0 ? teamChat : otherChat).CompleteChatAsync([new UserChatMessage(prompts[i])]);
        }

        await gateway.WaitForStatsAsync(s => s.GetProperty("usageApplied").GetInt64() >= 2 * RequestsPerTarget, what: "every usage event folded");
        using var response = await gateway.Admin.GetAsync("/admin/policy");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var autopilot = json.RootElement.GetProperty("autopilot");
        var teamScope = autopilot.GetProperty("key:" + team.Id);
        var globalScope = autopilot.GetProperty("global");
        var view = autopilot.ToString();

        // Each controller counted only its own requests; its window (the last 100) is the second half of its run.
        Assert.Equal(RequestsPerTarget, teamScope.GetProperty("observedRequests").GetInt64());
        Assert.Equal(RequestsPerTarget, globalScope.GetProperty("observedRequests").GetInt64());
        Assert.InRange(teamScope.GetProperty("realisedCostPer1kRequests").GetDouble(), 0.5 * 0.85, 0.5 * 1.15);
        Assert.InRange(globalScope.GetProperty("realisedCostPer1kRequests").GetDouble(), 1.5 * 0.85, 1.5 * 1.15);
        Assert.True(teamScope.GetProperty("lambda").GetDouble() < globalScope.GetProperty("lambda").GetDouble(), view);
    }

    private static async Task<(string Id, string Secret)> CreateKeyAsync(ReplicaHost gateway, string name)
    {
        using var response = await gateway.Admin.PostAsJsonAsync("/admin/keys", new { name });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("key").GetString()!);
    }
}
