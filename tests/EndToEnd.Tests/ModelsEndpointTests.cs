using System.Text.Json;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests;

/// <summary><c>GET /v1/models</c> names each arm's provider as the arms file and the admin API spell it.</summary>
public sealed class ModelsEndpointTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "plain", _upstream.BaseUrl, 0.1, 0.2),
            GatewayHost.Arm(1, "azure-arm", _upstream.BaseUrl, 0.1, 0.2, provider: "azure", apiKeyEnv: "ROUTER_TEST_UNSET_KEY"),
            GatewayHost.Arm(2, "sim", null, 0.1, 0.2, provider: "simulated")));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("plain", "openai")]
    [InlineData("azure-arm", "azure")]
    [InlineData("sim", "simulated")]
    public async Task ListModels_EachArm_ProviderSpelledAsInConfiguration(string arm, string provider)
    {
        using var response = await _gateway.Http.GetAsync(new Uri("/v1/models", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var model = json.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == arm);
        Assert.Equal(provider, model.GetProperty("owned_by").GetString());
        Assert.Equal(provider, model.GetProperty("router").GetProperty("provider").GetString());
    }
}
