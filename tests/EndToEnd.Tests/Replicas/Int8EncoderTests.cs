namespace EndToEnd.Tests.Replicas;

/// <summary>The whole product with <c>Router:MixLlm:Precision=Int8</c>: the encoder quantises itself at start and routes.</summary>
public sealed class Int8EncoderTests
{
    [Fact]
    public async Task Gateway_Int8Precision_LoadsQuantisedEncoderAndRoutesAuto()
    {
        await using var gateway = await ReplicaHost.StartAsync(
            new Dictionary<string, string?> { ["Router:MixLlm:Precision"] = "Int8" }, sharedEncoder: false);

        var (requestId, arm, policy) = await gateway.ChatAsync("What is the capital of France?");
        var stats = await gateway.StatsAsync();

        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.Equal("mixllm", policy);
        Assert.False(string.IsNullOrEmpty(arm));
        Assert.Contains("+int8/", stats.GetProperty("encoder").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_UnknownPrecision_FailsTheStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ReplicaHost.StartAsync(new Dictionary<string, string?> { ["Router:MixLlm:Precision"] = "Int4" }, sharedEncoder: false));

        Assert.Contains("Precision", error.ToString(), StringComparison.Ordinal);
    }
}
