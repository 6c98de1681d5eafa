using EndToEnd.Tests.Replicas;

namespace EndToEnd.Tests;

/// <summary>
/// Load balancers probe with <c>HEAD</c>: the health probes and the read-only model endpoints answer it with the
/// status (and headers) of <c>GET</c> and no body, over real Kestrel.
/// </summary>
public sealed class HeadRequestTests : IAsyncLifetime
{
    private ReplicaHost _gateway = null!;

    // The whole product as Program.cs maps it (health included): the embedded default profile, no Redis.
    public async Task InitializeAsync() => _gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/v1/models")]
    [InlineData("/v1/models/gpt-4o-mini-sim")]
    [InlineData("/v1/models/auto")]
    [InlineData("/v1/models/no-such-model")]
    public async Task Head_ReadEndpoint_SameStatusAsGetAndNoBody(string path)
    {
        using var get = await _gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
        using var head = await _gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)));

        Assert.NotEqual(System.Net.HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_PostOnlyEndpoint_Still405()
    {
        using var head = await _gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/v1/chat/completions", UriKind.Relative)));
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, head.StatusCode);
    }
}
