using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Router.Gateway.Auth;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests;

/// <summary>
/// Gateway keys on <c>/v1/messages</c> with the official Anthropic .NET SDK: the key as <c>x-api-key</c> (the SDK's
/// <c>ApiKey</c>) or <c>Authorization: Bearer</c> (its <c>AuthToken</c>, as Claude Code's ANTHROPIC_AUTH_TOKEN), and
/// every refusal in Anthropic's envelope with Anthropic's error type, so the SDK raises its typed exception.
/// </summary>
public sealed class AnthropicAccessTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_ANTHROPIC_ACCESS_UPSTREAM_KEY";
    private const string Secret = "sk-ant-access-test-0123456789";
    private const string Body = """{"model":"claude-x","max_tokens":50,"messages":[{"role":"user","content":"Hi?"}]}""";
    private AnthropicUpstream _claude = null!;
    private TestUpstream _other = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, Secret);
        _claude = await AnthropicUpstream.StartAsync(Secret);
        _other = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "claude-x", _claude.BaseUrl, 3, 15, provider: "anthropic", upstreamModel: "claude-sonnet-4-5-20250929", apiKeyEnv: KeyEnv),
            GatewayHost.Arm(1, "other", _other.BaseUrl, 1, 2),
            new Dictionary<string, string?> { ["Router:AdminKey"] = AdminKey }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _other.DisposeAsync();
        await _claude.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GatewayKey_AsXApiKeyOrBearer_Served(bool bearer)
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "sdk" });
        using var client = Client(apiKey: bearer ? null : secret, authToken: bearer ? secret : null);

        var message = await client.Messages.Create(Params());

        Assert.Equal("Hello from Claude.", Assert.IsType<TextBlock>(Assert.Single(message.Content).Value).Text);
        Assert.Equal(Secret, Assert.Single(_claude.ReceivedApiKeys)); // the arm's key upstream, never the gateway key
    }

    [Fact]
    public async Task GatewayKey_Wrong_SdkRaisesUnauthorizedWithAuthenticationError()
    {
        await CreateKeyAsync(_gateway, new { name = "sdk" });
        using var client = Client(apiKey: "sk-router-not-a-real-key");

        var error = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Params()));

        Assert.Equal("authentication_error", (string)error.Type!);
        Assert.Empty(_claude.Received);
    }

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/v1/messages/count_tokens")]
    public async Task GatewayKey_Missing_401InAnthropicEnvelope(string path)
    {
        await CreateKeyAsync(_gateway, new { name = "sdk" });

        using var response = await _gateway.Http.PostAsync(path, new StringContent(Body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (type, message) = await AnthropicEnvelopeAsync(response);
        Assert.Equal("authentication_error", type);
        Assert.Contains("API key", message, StringComparison.Ordinal);
        Assert.Empty(_claude.Received);
    }

    [Fact]
    public async Task GatewayKey_NotAllowedTheArm_SdkRaisesForbiddenWithPermissionError()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "other-only", allowedArms = new[] { "other" } });
        using var client = Client(apiKey: secret);

        var error = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => client.Messages.Create(Params()));

        Assert.Equal("permission_error", (string)error.Type!);
        Assert.Contains("claude-x", error.ApiMessage, StringComparison.Ordinal);
        Assert.Empty(_claude.Received);
    }

    [Fact]
    public async Task RequestsPerMinute_Exceeded_429RateLimitErrorWithRetryAfter()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "rpm", requestsPerMinute = 1 });
        using var client = Client(apiKey: secret);
        await client.Messages.Create(Params());

        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => client.Messages.Create(Params()));
        using var raw = await SendAsync(secret);

        Assert.Equal("rate_limit_error", (string)error.Type!);
        Assert.Equal(HttpStatusCode.TooManyRequests, raw.StatusCode);
        Assert.True(int.Parse(raw.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("rate_limit_error", (await AnthropicEnvelopeAsync(raw)).Type);
        Assert.Single(_claude.Received);
    }

    [Fact]
    public async Task SpendCap_Reached_429RateLimitErrorNamingTheCap()
    {
        // One request on claude-x costs 21 × $3/M + 5 × $15/M = $0.000138: a cap of $0.0001 allows one.
        var (id, secret) = await CreateKeyAsync(_gateway, new { name = "capped", dailySpendCapUsd = 0.0001 });
        using var client = Client(apiKey: secret);
        await client.Messages.Create(Params());
        var ledger = _gateway.Services.GetRequiredService<ISpendLedger>();
        await EventuallyAsync(async () => (await ledger.GetAsync(id, default)).TodayUsd > 0.0001, "spend");

        var error = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => client.Messages.Create(Params()));

        Assert.Equal("rate_limit_error", (string)error.Type!);
        Assert.Contains("daily spend cap", error.ApiMessage, StringComparison.Ordinal);
        Assert.Single(_claude.Received);
    }

    private static MessageCreateParams Params() => new()
    {
        Model = "claude-x",
        MaxTokens = 50,
        Messages = [new UserMessageParam("Hi?")],
    };

    private static async Task<(string? Type, string Message)> AnthropicEnvelopeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", json.RootElement.GetProperty("type").GetString());
        var error = json.RootElement.GetProperty("error");
        return (error.GetProperty("type").GetString(), error.GetProperty("message").GetString()!);
    }

    private async Task<HttpResponseMessage> SendAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", key);
        return await _gateway.Http.SendAsync(request);
    }

    private AnthropicClient Client(string? apiKey = null, string? authToken = null) => new(new ClientOptions
    {
        BaseUrl = _gateway.Address.ToString().TrimEnd('/'),
        ApiKey = apiKey,
        AuthToken = authToken,
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(30),
    });
}
