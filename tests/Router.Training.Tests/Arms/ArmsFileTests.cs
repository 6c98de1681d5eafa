using Router.Training.Arms;
using Router.Training.Data;

namespace Router.Training.Tests.Arms;

public sealed class ArmsFileTests
{
    [Fact]
    public async Task Load_InvalidArms_NamesEveryBadFieldAsTheGatewayDoes()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "arms.json");
        await File.WriteAllTextAsync(path, """
            { "Arms": [
              { "Name": "ok", "Provider": "simulated", "InputPricePerMillion": 1 },
              { "Name": "bad", "Provider": "carrier-pigeon", "InputPricePerMillion": -1, "MaxConcurrency": 0 }
            ] }
            """);

        var error = Assert.Throws<DatasetFormatException>(() => ArmsFile.Load(path));

        Assert.Contains("Arms:1:Provider 'carrier-pigeon' is unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("Arms:1:InputPricePerMillion must be >= 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Arms:1:MaxConcurrency must be >= 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Arms:0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Arms": null }""", "\"Arms\" must be an array of arms")]
    [InlineData("""{ "Arms": [ null ] }""", "Arms:0 is null")]
    [InlineData("""{ "Arms": [ { "Name": "x", "Provider": "simulated" }, { "Name": "x", "Provider": "simulated" } ] }""", "Arms:1: arm 'x' is listed twice")]
    public async Task Load_NullOrDuplicateArms_ClearErrorNotACrash(string json, string expected)
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "arms.json");
        await File.WriteAllTextAsync(path, json);

        var error = Assert.Throws<DatasetFormatException>(() => ArmsFile.Load(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Folder_SaysItIsAFolder()
    {
        var dir = DataFiles.NewTempFolder();

        var error = Assert.Throws<DatasetFormatException>(() => ArmsFile.Load(dir));

        Assert.Contains("is a folder, not an arms file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_GatewayFormat_MapsToDefinitions()
    {
        var path = Path.Combine(DataFiles.NewTempFolder(), "arms.json");
        await File.WriteAllTextAsync(path, """
            { "arms": [ { "name": "m", "provider": "openai", "baseUrl": "http://127.0.0.1:8081/v1", "inputPricePerMillion": 0.5,
                          "outputPricePerMillion": 1.5, "timeoutSeconds": 30, "tokensPerSecond": 70 } ] }
            """);

        var arm = Assert.Single(ArmsFile.Load(path));

        Assert.Equal(("m", 0.5, 1.5, 70d), (arm.Name, arm.InputPricePerMillion, arm.OutputPricePerMillion, arm.TokensPerSecond));
        Assert.Equal(TimeSpan.FromSeconds(30), arm.Timeout);
        Assert.Equal(new Uri("http://127.0.0.1:8081/v1"), arm.BaseUrl);
    }
}
