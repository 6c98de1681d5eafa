using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Router.Gateway.Auth;
using Router.Gateway.RateLimiting;
using Router.Gateway.Resilience;
using Router.Gateway.Telemetry;

namespace Gateway.Tests.Auth;

/// <summary>Component tests of the key middleware on <see cref="DefaultHttpContext"/> (remote addresses we cannot fake over loopback).</summary>
public sealed class ClientAccessMiddlewareTests
{
    [Theory]
    [InlineData("127.0.0.1", 200)]
    [InlineData("::1", 200)]
    [InlineData("203.0.113.7", 401)]
    [InlineData("10.0.0.5", 401)]
    public async Task Invoke_NoKeys_ServesLoopbackOnly(string remote, int expected)
    {
        var (status, body, nextCalled) = await RunAsync(new InMemoryApiKeyStore(), remote, bearer: null);
        Assert.Equal(expected, status);
        Assert.Equal(expected == 200, nextCalled);
        if (expected == 401)
        {
            Assert.Contains("loopback", body, StringComparison.Ordinal);
            Assert.Equal("invalid_api_key", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Invoke_KeyFromAnyAddress_SetsFeature()
    {
        var store = new InMemoryApiKeyStore();
        await store.AddAsync(new ClientApiKey { Id = "key_a", Name = "a", SecretHash = ApiKeySecrets.Hash("sk-router-x"), Prefix = "p" }, default);
        var (status, _, nextCalled) = await RunAsync(store, "203.0.113.7", "sk-router-x");
        Assert.Equal(200, status);
        Assert.True(nextCalled);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \t ")]
    public async Task Invoke_BearerWithOnlyWhitespace_401MissingKey(string bearer)
    {
        // A missing credential is 401 with WWW-Authenticate, never looked up in the store as an empty secret.
        var store = new InMemoryApiKeyStore();
        await store.AddAsync(new ClientApiKey { Id = "key_a", Name = "a", SecretHash = ApiKeySecrets.Hash("sk-router-x"), Prefix = "p" }, default);
        var (status, body, nextCalled) = await RunAsync(store, "203.0.113.7", bearer);
        Assert.Equal(401, status);
        Assert.False(nextCalled);
        Assert.Contains("provide an API key", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_StoreDown_Returns503Envelope()
    {
        var (status, body, nextCalled) = await RunAsync(new ThrowingStore(), "127.0.0.1", "sk-router-x");
        Assert.Equal(503, status);
        Assert.False(nextCalled);
        Assert.Equal("key_store_unavailable", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Invoke_OutsideV1_IsNotGuarded()
    {
        var (status, _, nextCalled) = await RunAsync(new ThrowingStore(), "203.0.113.7", null, "/health/live");
        Assert.Equal(200, status);
        Assert.True(nextCalled);
    }

    private static async Task<(int Status, string Body, bool NextCalled)> RunAsync(IApiKeyStore store, string remote, string? bearer, string path = "/v1/chat/completions")
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(
            services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            new ArmResilience(Options.Create(new ResilienceOptions()), TimeProvider.System, NullLogger<ArmResilience>.Instance));
        var nextCalled = false;
        var middleware = new ClientAccessMiddleware(
            _ =>
            {
                nextCalled = true;
                return Task.CompletedTask;
            },
            store,
            new InMemorySpendLedger(TimeProvider.System),
            new InProcessClientRateLimiter(TimeProvider.System),
            metrics,
            NullLogger<ClientAccessMiddleware>.Instance);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (bearer is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + bearer;
        }

        var body = new MemoryStream();
        context.Response.Body = body;
        await middleware.InvokeAsync(context);
        return (context.Response.StatusCode, System.Text.Encoding.UTF8.GetString(body.ToArray()), nextCalled);
    }

    private sealed class ThrowingStore : IApiKeyStore
    {
        public ValueTask<ClientApiKey?> FindBySecretHashAsync(string secretHash, CancellationToken cancellationToken) => throw new TimeoutException("redis down");

        public ValueTask<bool> HasActiveKeysAsync(CancellationToken cancellationToken) => throw new TimeoutException("redis down");

        public Task AddAsync(ClientApiKey key, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<IReadOnlyList<ClientApiKey>> ListAsync(CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<ClientApiKey?> GetAsync(string id, CancellationToken cancellationToken) => throw new TimeoutException();

        public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => throw new TimeoutException();
    }
}
