using System.Text;
using System.Text.Json;
using Router.Core.Arms;
using Router.Gateway.Arms;
using Router.Gateway.Configuration;
using Router.Gateway.Simulation;
using Router.Gateway.Usage;

namespace Gateway.Tests.Simulation;

/// <summary>A simulated arm with no delays behind an <see cref="HttpClient"/>, and helpers to call it.</summary>
internal static class SimulatedArm
{
    public static readonly ITokenCounter Tokens = new TiktokenTokenCounter();

    public static HttpClient Client(SimulationOptions? simulation = null)
    {
        var arm = new CatalogArm
        {
            Definition = new ArmDefinition { Name = "sim", Provider = ProviderKind.Simulated, TimeToFirstTokenSeconds = 0, TokensPerSecond = 10_000 },
            Simulation = simulation ?? new SimulationOptions(),
        };
        return new HttpClient(new SimulatedUpstreamHandler(arm, Tokens, TimeProvider.System));
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>POSTs <paramref name="body"/> to the chat path and parses the answer.</summary>
    public static async Task<JsonDocument> ChatAsync(this HttpClient client, string body)
    {
        using var response = await client.PostAsync("http://sim/v1/chat/completions", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text);
    }

    /// <summary>POSTs a streaming <paramref name="body"/> and returns the parsed <c>data:</c> events before <c>[DONE]</c>.</summary>
    public static async Task<List<JsonDocument>> StreamAsync(this HttpClient client, string path, string body)
    {
        using var response = await client.PostAsync("http://sim" + path, Json(body));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        return [.. events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]))];
    }
}
