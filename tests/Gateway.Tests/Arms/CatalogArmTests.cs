using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Core.Arms;
using Router.Gateway.Arms;
using Router.Gateway.Configuration;

namespace Gateway.Tests.Arms;

public sealed class CatalogArmTests
{
    // The registry's JSON form (Router.Core.State.StateJson): web casing, enums as names, nulls omitted.
    private static readonly JsonSerializerOptions RegistryJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly ArmOptions Scripted = new()
    {
        Name = "scripted",
        Provider = "simulated",
        ApiVersion = "2024-06-01",
        Simulation = new SimulationOptions { Reply = "hello from {arm}", MaxCompletionTokens = 5, FailWithStatus = 503, EmbeddingDimension = 32, ReportUsage = false },
    };

    [Fact]
    public void FromDefinition_AfterRegistryRoundTrip_HasTheTransportSettingsOfFromOptions()
    {
        var definition = CatalogArm.FromOptions(Scripted).Definition;
        var stored = JsonSerializer.Deserialize<ArmDefinition>(JsonSerializer.Serialize(definition, RegistryJson), RegistryJson)!;

        var entry = CatalogArm.FromDefinition(stored, fallback: null);

        Assert.Equal("2024-06-01", entry.ApiVersion);
        Assert.Equal(Scripted.Simulation, entry.Simulation);
        Assert.Equal("scripted", entry.Name);
    }

    [Fact]
    public void FromDefinition_NoTransport_TakesTheFallbackElseDefaults()
    {
        var old = Scripted.ToDefinition(); // as the registry held arms before Transport existed
        Assert.Null(old.Transport);
        var configured = CatalogArm.FromOptions(Scripted);

        var withFallback = CatalogArm.FromDefinition(old, configured);
        var withoutFallback = CatalogArm.FromDefinition(old, fallback: null);

        Assert.Equal(configured.Simulation, withFallback.Simulation);
        Assert.Equal("2024-06-01", withFallback.ApiVersion);
        Assert.Same(old, withFallback.Definition);
        Assert.Equal(new SimulationOptions(), withoutFallback.Simulation);
        Assert.Null(withoutFallback.ApiVersion);
    }

    [Theory]
    [InlineData("""{"simulation":{"maxCompletionTokens":"many"}}""")]
    [InlineData("""{"simulation":{"reply":null}}""")]
    [InlineData("""[1]""")]
    public void FromDefinition_UnreadableTransport_TakesTheFallback(string transport)
    {
        using var document = JsonDocument.Parse(transport);
        var definition = Scripted.ToDefinition() with { Transport = document.RootElement.Clone() };

        var entry = CatalogArm.FromDefinition(definition, CatalogArm.FromOptions(Scripted));

        Assert.Equal(Scripted.Simulation, entry.Simulation);
    }

    [Fact]
    public void FromDefinition_TransportFromANewerGateway_IgnoresUnknownMembers()
    {
        using var document = JsonDocument.Parse("""{"apiVersion":"2025-01-01","simulation":{"reply":"r","jitter":3},"region":"eu"}""");
        var definition = Scripted.ToDefinition() with { Transport = document.RootElement.Clone() };

        var entry = CatalogArm.FromDefinition(definition);

        Assert.Equal("2025-01-01", entry.ApiVersion);
        Assert.Equal("r", entry.Simulation.Reply);
        Assert.Equal(64, entry.Simulation.MaxCompletionTokens);
    }
}
