using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public async Task StartAsync_ArmsFileWithNegativePrice_FailsNamingTheField()
    {
        var file = Path.Combine(Path.GetTempPath(), $"arms-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            { "Arms": [
                { "Name": "ok", "Provider": "simulated", "InputPricePerMillion": 1, "OutputPricePerMillion": 2 },
                { "Name": "bad", "Provider": "openai", "BaseUrl": "https://example.invalid/v1", "InputPricePerMillion": -1 } ] }
            """);
        try
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Router:ArmsFile"] = file }));

            Assert.Contains($"Router:ArmsFile '{file}': Arms:1:InputPricePerMillion must be >= 0", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task StartAsync_ArmsFileWithWrongType_FailsNamingTheField()
    {
        var file = Path.Combine(Path.GetTempPath(), $"arms-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "Arms": [ { "Name": "x", "Provider": "simulated", "TokensPerSecond": "fast" } ] }""");
        try
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Router:ArmsFile"] = file }));

            Assert.Contains("Arms:0:TokensPerSecond", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task StartAsync_ConfiguredArmWithWrongType_FailsInsteadOfDroppingTheArm()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new()
        {
            ["Router:Arms:0:Name"] = "x",
            ["Router:Arms:0:Provider"] = "simulated",
            ["Router:Arms:0:TimeoutSeconds"] = "soon",
        }));

        Assert.Contains("Router:Arms:0:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TimeoutSeconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingArmsFile_FailsNamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Router:ArmsFile"] = "/nonexistent/arms.json" }));

        Assert.Contains("Router:ArmsFile '/nonexistent/arms.json' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ArmsFromConfigurationWithBadFields_ListsEveryProblem()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new()
        {
            ["Router:Arms:0:Name"] = "a",
            ["Router:Arms:0:Provider"] = "simulated",
            ["Router:Arms:1:Name"] = "A",
            ["Router:Arms:1:Provider"] = "openai",
            ["Router:Arms:2:Name"] = "auto",
            ["Router:Arms:2:Provider"] = "carrier-pigeon",
            ["Router:Arms:2:OutputPricePerMillion"] = "-3",
            ["Router:Arms:2:MaxConcurrency"] = "0",
        }));

        Assert.Contains("Router:Arms:1:Name 'A' is used by another arm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Router:Arms:1:BaseUrl must be an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Router:Arms:2:Name 'auto' is reserved", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Router:Arms:2:Provider 'carrier-pigeon' is unknown", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Router:Arms:2:OutputPricePerMillion must be >= 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Router:Arms:2:MaxConcurrency must be >= 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AzureArmWithoutKeyVariable_Fails()
    {
        var options = new GatewayOptions
        {
            Arms = [new ArmOptions { Name = "az", Provider = "azure", BaseUrl = "https://x.openai.azure.com" }],
        };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Router:Arms:0:ApiKeyEnv is required for provider 'azure'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyInsteadOfVariableName_Fails()
    {
        var options = new GatewayOptions
        {
            Arms = [new ArmOptions { Name = "o", BaseUrl = "https://api.openai.com/v1", ApiKeyEnv = "sk-abcdef123456" }],
        };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Contains("Router:Arms:0:ApiKeyEnv must name an environment variable", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShippedDefaultProfile_Succeeds()
    {
        var options = new GatewayOptions();
        new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoRoot(), "src", "Gateway", "appsettings.json")).Build()
            .GetSection("Router").Bind(options);

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(4, options.Arms.Count);
    }

    private static Task StartAsync(Dictionary<string, string?> settings) => GatewayStartup.StartAndStopAsync(settings);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
