using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Console;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// The verifier cascade (<c>Router:Cascade</c>) on the whole product: two local upstreams (a cheap arm the router picks
/// first and a strong one), the engine from <see cref="CascadeCheckpoint"/> (its verifier trained on MiniLM embeddings
/// in the fixture), the OpenAI SDK as client.
/// </summary>
public sealed partial class CascadeTests : IClassFixture<CascadeCheckpoint>, IAsyncLifetime
{
    private const string StrongArm = "strong-arm";
    private const string Query = "What is the capital of Italy?";
    private const double Lambda = 2.5;
    private const double CheapPrior = 0.6;
    private const double StrongPrior = 0.95;
    private static readonly string[] RightAnswer = ["Rome", " is", " the", " capital", " of", " Italy."];
    private static readonly string[] EvasiveAnswer = ["I", " really", " don't", " know,", " sorry."];

    private readonly CascadeCheckpoint _checkpoint;
    private readonly ITestOutputHelper _output;
    private TestUpstream _cheap = null!;
    private TestUpstream _strong = null!;

    public CascadeTests(CascadeCheckpoint checkpoint, ITestOutputHelper output)
    {
        _checkpoint = checkpoint;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _cheap = await TestUpstream.StartAsync();
        _strong = await TestUpstream.StartAsync();
        _strong.Words = RightAnswer;
    }

    public async Task DisposeAsync()
    {
        await _cheap.DisposeAsync();
        await _strong.DisposeAsync();
    }

    [Fact]
    public async Task Auto_EvasiveCheapAnswer_EscalatedToTheStrongArmAndBothCallsBilled()
    {
        _cheap.Words = EvasiveAnswer;
        await using var gateway = await ReplicaHost.StartAsync(Settings());
        var secret = await CreateKeyAsync(gateway);

        var result = await Chat(gateway, secret).CompleteChatAsync([new UserChatMessage(Query)]);

        Assert.Equal(string.Concat(RightAnswer), result.Value.Content[0].Text);
        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal(StrongArm, arm);
        Assert.True(raw.Headers.TryGetValue("x-router-cascade", out var cascade));
        Assert.StartsWith($"escalated from={CascadeCheckpoint.CheapArm} to={StrongArm}", cascade, StringComparison.Ordinal);
        _output.WriteLine("x-router-cascade: " + cascade);
        var (p, threshold) = ProbabilityAndThreshold(cascade!);
        Assert.True(p < threshold, cascade);
        // τ(λ) = q̂_esc − ĉ_esc/(λ·c_ref); the checkpoint's c_ref is 0, so c_ref is the dearest arm's ĉ: the strong arm's.
        Assert.Equal(StrongPrior - (1 / Lambda), threshold, 3);
        Assert.Single(_cheap.Received);
        Assert.Single(_strong.Received);

        // Both calls metered at their arm's prices (the upstreams report 11 prompt tokens, one completion token a word).
        var cheapCost = Cost(0.1, 0.2, _cheap.PromptTokens, EvasiveAnswer.Length);
        var strongCost = Cost(10, 30, _strong.PromptTokens, RightAnswer.Length);
        var byArm = await UsageApiTests.WaitForTotalAsync(gateway, "/admin/usage?bucket=1d&group_by=arm", 2);
        Assert.Equal(cheapCost, byArm.Single(b => b.GetProperty("arm").GetString() == CascadeCheckpoint.CheapArm).GetProperty("costUsd").GetDouble(), 12);
        Assert.Equal(strongCost, byArm.Single(b => b.GetProperty("arm").GetString() == StrongArm).GetProperty("costUsd").GetDouble(), 12);
        using var client = KeyClient(gateway, secret);
        Assert.Equal(cheapCost + strongCost, await WaitForKeySpendAsync(client, cheapCost + strongCost), 12);

        // Feedback goes to the arm whose answer the client got (the record names it before the answer is sent).
        Assert.True(raw.Headers.TryGetValue("x-router-request-id", out var requestId));
        using var feedback = await client.PostAsJsonAsync("/v1/feedback", new { request_id = requestId, thumbs = "up" });
        Assert.Equal(HttpStatusCode.Accepted, feedback.StatusCode);
        Assert.Contains($"\"arm\":\"{StrongArm}\"", await feedback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_RightCheapAnswer_KeptWithOneCall()
    {
        _cheap.Words = RightAnswer;
        await using var gateway = await ReplicaHost.StartAsync(Settings());

        var result = await Chat(gateway, "no-keys").CompleteChatAsync([new UserChatMessage(Query)]);

        Assert.Equal(string.Concat(RightAnswer), result.Value.Content[0].Text);
        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-router-arm", out var arm));
        Assert.Equal(CascadeCheckpoint.CheapArm, arm);
        Assert.True(raw.Headers.TryGetValue("x-router-cascade", out var cascade));
        Assert.StartsWith($"kept from={CascadeCheckpoint.CheapArm}", cascade, StringComparison.Ordinal);
        _output.WriteLine("x-router-cascade: " + cascade);
        var (p, threshold) = ProbabilityAndThreshold(cascade!);
        Assert.True(p >= threshold, cascade);
        Assert.Single(_cheap.Received);
        Assert.Empty(_strong.Received);
        var byArm = await UsageApiTests.WaitForTotalAsync(gateway, "/admin/usage?bucket=1d&group_by=arm", 1);
        Assert.Equal(CascadeCheckpoint.CheapArm, Assert.Single(byArm).GetProperty("arm").GetString());
    }

    [Fact]
    public async Task StreamingAuto_BufferingOff_NotCascaded()
    {
        _cheap.Words = EvasiveAnswer;
        await using var gateway = await ReplicaHost.StartAsync(Settings(bufferStreaming: false));

        var text = await StreamAsync(gateway);

        Assert.Equal(string.Concat(EvasiveAnswer), text);
        Assert.Single(_cheap.Received);
        Assert.Empty(_strong.Received);
    }

    [Fact]
    public async Task StreamingAuto_BufferingOn_EscalatedAnswerStreamed()
    {
        _cheap.Words = EvasiveAnswer;
        await using var gateway = await ReplicaHost.StartAsync(Settings(bufferStreaming: true));

        var text = await StreamAsync(gateway);

        Assert.Equal(string.Concat(RightAnswer), text);
        Assert.Single(_cheap.Received);
        Assert.Single(_strong.Received);
    }

    [Fact]
    public async Task AnthropicMessages_EvasiveCheapAnswer_EscalatedAnswerInTheMessagesForm()
    {
        _cheap.Words = EvasiveAnswer;
        await using var gateway = await ReplicaHost.StartAsync(Settings());
        var body = JsonSerializer.Serialize(new { model = "auto", max_tokens = 100, messages = new[] { new { role = "user", content = Query } } });

        using var response = await gateway.Http.PostAsync("/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var message = JsonNode.Parse(text)!;
        Assert.Equal("message", message["type"]!.GetValue<string>());
        Assert.Equal(string.Concat(RightAnswer), message["content"]![0]!["text"]!.GetValue<string>());
        Assert.StartsWith("escalated", response.Headers.GetValues("x-router-cascade").Single(), StringComparison.Ordinal);
        Assert.Single(_cheap.Received);
        Assert.Single(_strong.Received);
    }

    [Fact]
    public async Task Start_CascadeEnabledWithoutVerifier_FailsSayingWhy()
    {
        var settings = Settings();
        settings.Remove("Router:CheckpointPath");   // the untrained default engine: no verifier

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ReplicaHost.StartAsync(settings));

        Assert.Contains("Router:Cascade:Enabled is true but the checkpoint has no answer verifier", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MaxEscalationsOutOfRange_FailsSayingWhy()
    {
        var settings = Settings();
        settings["Router:Cascade:MaxEscalations"] = "0";

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ReplicaHost.StartAsync(settings));

        Assert.Contains("Router:Cascade:MaxEscalations must be between 1 and", ex.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(bool bufferStreaming = true) => GatewayHost.Merge(
        GatewayHost.Arm(0, CascadeCheckpoint.CheapArm, _cheap.BaseUrl, 0.1, 0.2, tags: "prior-quality=" + CheapPrior.ToString(CultureInfo.InvariantCulture)),
        GatewayHost.Arm(1, StrongArm, _strong.BaseUrl, 10, 30, tags: "prior-quality=" + StrongPrior.ToString(CultureInfo.InvariantCulture)),
        new Dictionary<string, string?>
        {
            ["Router:Arms:2:Enabled"] = "false",
            ["Router:Arms:3:Enabled"] = "false",
            ["Router:CheckpointPath"] = _checkpoint.Path,
            // At λ = 2.5 the cheap arm wins the decision (2.5·0.6 − ε > 2.5·0.95 − 1) and τ = 0.95 − 1/2.5 = 0.55.
            ["Router:DefaultPolicy:Lambda"] = Lambda.ToString(CultureInfo.InvariantCulture),
            ["Router:Cascade:Enabled"] = "true",
            ["Router:Cascade:BufferStreaming"] = bufferStreaming ? "true" : "false",
        });

    private static ChatClient Chat(ReplicaHost gateway, string key) =>
        new("auto", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = gateway.OpenAiEndpoint, NetworkTimeout = TimeSpan.FromSeconds(30) });

    private static async Task<string> StreamAsync(ReplicaHost gateway)
    {
        var text = new StringBuilder();
        await foreach (var update in Chat(gateway, "no-keys").CompleteChatStreamingAsync([new UserChatMessage(Query)]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        return text.ToString();
    }

    private static double Cost(double inputPerMillion, double outputPerMillion, int promptTokens, int completionTokens) =>
        ((promptTokens * inputPerMillion) + (completionTokens * outputPerMillion)) / 1_000_000;

    private static (double P, double Threshold) ProbabilityAndThreshold(string header)
    {
        var match = HopPattern().Match(header);
        Assert.True(match.Success, header);
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static HttpClient KeyClient(ReplicaHost gateway, string secret)
    {
        var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private static async Task<string> CreateKeyAsync(ReplicaHost gateway)
    {
        using var response = await gateway.Admin.PostAsJsonAsync("/admin/keys", new { name = "cascade-team" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("key").GetString()!;
    }

    // The spend ledger is charged by an observer after the response: poll until it shows the expected amount.
    private static async Task<double> WaitForKeySpendAsync(HttpClient client, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        double spent;
        do
        {
            var usage = await client.GetFromJsonAsync<JsonElement>("/v1/usage");
            spent = usage.GetProperty("budget").GetProperty("spentTodayUsd").GetDouble();
            if (Math.Abs(spent - expected) < 1e-12)
            {
                break;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        return spent;
    }

    [GeneratedRegex(@"p=([0-9.]+) threshold=(-?[0-9.]+)")]
    private static partial Regex HopPattern();
}
