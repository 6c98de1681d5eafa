using System.Net;
using System.Text;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Hardening;

/// <summary>What crosses the gateway in each direction: client credentials and hop-by-hop or router headers never
/// reach an upstream; an upstream cannot forge the gateway's own x-router-* response headers.</summary>
public sealed class HeaderForwardingTests : IAsyncLifetime
{
    private const string KeyEnv = "E2E_HEADERS_UPSTREAM_KEY";
    private const string UpstreamSecret = "upstream-secret-headers-77aa";
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyEnv, UpstreamSecret);
        _upstream = await TestUpstream.StartAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Forward_ClientCredentialsHopByHopAndRouterHeaders_NeverReachUpstream()
    {
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Arm(0, "a", _upstream.BaseUrl, 1, 1, apiKeyEnv: KeyEnv));
        using var request = Chat("auto");
        request.Headers.Authorization = new("Bearer", "client-secret-must-not-travel");
        request.Headers.TryAddWithoutValidation("api-key", "client-azure-key");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic Y2xpZW50OnNlY3JldA==");
        request.Headers.TryAddWithoutValidation("Cookie", "session=client");
        request.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-client");
        request.Headers.TryAddWithoutValidation("x-router-lambda", "2");
        request.Headers.TryAddWithoutValidation("X-Router-Debug", "1");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        request.Headers.TryAddWithoutValidation("Upgrade", "h2c");
        request.Headers.TryAddWithoutValidation("x-custom-hop", "listed in Connection");
        request.Headers.Connection.Add("x-custom-hop");
        request.Headers.TryAddWithoutValidation("x-app-trace", "kept");

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal("Bearer " + UpstreamSecret, received.Headers["Authorization"]);
        foreach (var name in new[] { "api-key", "Proxy-Authorization", "Cookie", "OpenAI-Organization", "Keep-Alive", "TE", "Upgrade", "x-custom-hop" })
        {
            Assert.False(received.Headers.ContainsKey(name), $"{name} reached the upstream: {received.Headers.GetValueOrDefault(name)}");
        }

        Assert.DoesNotContain(received.Headers.Keys, k => k.StartsWith("x-router-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(received.Headers.Values, v => v.Contains("client-secret", StringComparison.Ordinal));
        Assert.Equal("kept", received.Headers["x-app-trace"]);
    }

    [Fact]
    public async Task Forward_UpstreamSendsRouterHeaders_ClientSeesOnlyTheGatewaysOwn()
    {
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Arm(0, "a", _upstream.BaseUrl, 1, 1, apiKeyEnv: KeyEnv));
        _upstream.ResponseHeaders["x-router-request-id"] = "req_forged";
        _upstream.ResponseHeaders["x-router-arm"] = "forged-arm";
        _upstream.ResponseHeaders["x-router-fallback"] = "true";
        _upstream.ResponseHeaders["x-router-decision"] = "{\"forged\":true}";
        _upstream.ResponseHeaders["x-upstream-note"] = "kept";

        using var response = await gateway.Http.SendAsync(Chat("auto"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("x-router-request-id"));
        Assert.StartsWith("req_", id, StringComparison.Ordinal);
        Assert.NotEqual("req_forged", id);
        Assert.Equal("a", Assert.Single(response.Headers.GetValues("x-router-arm")));
        Assert.False(response.Headers.Contains("x-router-fallback"));
        Assert.False(response.Headers.Contains("x-router-decision"));
        Assert.Equal("kept", Assert.Single(response.Headers.GetValues("x-upstream-note")));
    }

    private static HttpRequestMessage Chat(string model) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
    };
}
