using System.Net;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Router.Core.Arms;
using Router.Core.Routing;
using Router.Gateway.Arms;
using Router.Gateway.Decisions;

namespace EndToEnd.Tests;

/// <summary>Azure transport, run-time arm changes, decision records and failure containment, over real sockets.</summary>
public sealed class GatewayBehaviourTests : IAsyncLifetime
{
    private const string AzureKeyEnv = "E2E_AZURE_KEY";
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(AzureKeyEnv, "azure-key-value");
        _upstream = await TestUpstream.StartAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Pinned_AzureArm_UsesDeploymentPathApiVersionAndApiKeyHeader()
    {
        var root = new Uri(_upstream.BaseUrl.GetLeftPart(UriPartial.Authority));
        var settings = GatewayHost.Arm(0, "az", root, 1, 2, provider: "azure", upstreamModel: "my-deployment", apiKeyEnv: AzureKeyEnv);
        settings["Router:Arms:0:ApiVersion"] = "2024-06-01";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var request = Chat("az");
        request.Headers.Authorization = new("Bearer", "client-token");

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Received);
        Assert.Equal("/openai/deployments/my-deployment/chat/completions?api-version=2024-06-01", received.PathAndQuery);
        Assert.Equal("azure-key-value", received.Headers["api-key"]);
        Assert.False(received.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Catalog_ArmAddedAndRemovedAtRunTime_IsRoutableThenGone()
    {
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Arm(0, "first", _upstream.BaseUrl, 1, 1));
        var catalog = gateway.Services.GetRequiredService<IArmCatalog>();

        Assert.True(catalog.Add(new CatalogArm
        {
            Definition = new ArmDefinition { Name = "hot", BaseUrl = _upstream.BaseUrl, UpstreamModel = "hot-model", InputPricePerMillion = 0.01 },
        }));
        using (var routed = await gateway.Http.SendAsync(Chat("auto")))
        {
            Assert.Equal("hot", routed.Headers.GetValues("x-router-arm").Single());
        }

        Assert.True(catalog.Remove("hot"));
        using var pinned = await gateway.Http.SendAsync(Chat("hot"));

        Assert.Equal(HttpStatusCode.NotFound, pinned.StatusCode);
        Assert.Equal("hot-model", _upstream.Received.Single().Body["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Auto_Decision_IsRecordedUnderTheRequestId()
    {
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "a", _upstream.BaseUrl, 1, 1),
            GatewayHost.Arm(1, "b", _upstream.BaseUrl, 2, 2)));

        using var response = await gateway.Http.SendAsync(Chat("auto"));

        var id = response.Headers.GetValues("x-router-request-id").Single();
        var record = await gateway.Services.GetRequiredService<IDecisionStore>().FindAsync(id, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(["a", "b"], record.Decision.RankedArms);
    }

    [Fact]
    public async Task Auto_RouterThrows_FallsBackToPriceRanking()
    {
        await using var gateway = await GatewayHost.StartAsync(
            GatewayHost.Merge(GatewayHost.Arm(0, "dear", _upstream.BaseUrl, 9, 9), GatewayHost.Arm(1, "cheap", _upstream.BaseUrl, 1, 1)),
            services: s => s.AddSingleton<IRouter, ThrowingRouter>());

        using var response = await gateway.Http.SendAsync(Chat("auto"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cheap", response.Headers.GetValues("x-router-arm").Single());
    }

    [Fact]
    public async Task Request_UnexpectedException_Returns500EnvelopeWithoutDetails()
    {
        await using var gateway = await GatewayHost.StartAsync(
            GatewayHost.Arm(0, "a", _upstream.BaseUrl, 1, 1),
            services: s => s.AddSingleton<IDecisionStore, ThrowingDecisionStore>());

        using var response = await gateway.Http.SendAsync(Chat("auto"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        Assert.Equal("internal_error", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        var id = response.Headers.GetValues("x-router-request-id").Single();
        Assert.Contains(id, json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("store is on fire", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Chat(string model) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
    };

    private sealed class ThrowingRouter : IRouter
    {
        public ValueTask<RoutingDecision> RouteAsync(RoutingRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("model file missing");
    }

    private sealed class ThrowingDecisionStore : IDecisionStore
    {
        public ValueTask SaveAsync(DecisionRecord record, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("store is on fire");

        public ValueTask<DecisionRecord?> FindAsync(string requestId, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionRecord?>(null);
    }
}
