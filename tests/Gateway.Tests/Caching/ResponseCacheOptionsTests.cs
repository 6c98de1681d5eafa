using Microsoft.Extensions.Options;
using Router.Gateway.Caching;

namespace Gateway.Tests.Caching;

public sealed class ResponseCacheOptionsTests
{
    [Fact]
    public void Defaults_AreOffOneHourOneMebibyte_AndValid()
    {
        var options = new ResponseCacheOptions();

        Assert.False(options.Enabled);
        Assert.Equal(TimeSpan.FromHours(1), options.Ttl);
        Assert.Equal(1024 * 1024, options.MaxEntryBytes);
        Assert.True(options.UseRedis);
        Assert.True(options.Coalesce);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CoalesceMaxWait);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_BadValues_NameEachField()
    {
        var errors = new ResponseCacheOptions { Ttl = TimeSpan.Zero, MaxEntryBytes = 0, MemoryLimitBytes = -1 }.Validate();

        Assert.Contains("Router:Cache:Ttl must be > 0 (e.g. 01:00:00).", errors);
        Assert.Contains("Router:Cache:MaxEntryBytes must be > 0.", errors);
        Assert.Contains(errors, e => e.StartsWith("Router:Cache:MemoryLimitBytes must be >= MaxEntryBytes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Router:Cache:Ttl", "-00:00:01", "Router:Cache:Ttl must be > 0")]
    [InlineData("Router:Cache:MaxEntryBytes", "0", "Router:Cache:MaxEntryBytes must be > 0")]
    [InlineData("Router:Cache:MemoryLimitBytes", "1000", "Router:Cache:MemoryLimitBytes must be >= MaxEntryBytes")]
    [InlineData("Router:Cache:CoalesceMaxWait", "00:00:00", "Router:Cache:CoalesceMaxWait must be > 0")]
    [InlineData("Router:Cache:CoalesceMaxWait", "60.00:00:00", "Router:Cache:CoalesceMaxWait must be at most 49 days")]
    public async Task StartAsync_BadCacheSetting_FailsWithTheFieldsMessage(string key, string value, string message)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Router:Cache:Enabled"] = "true", [key] = value }));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CacheEnabledWithDefaults_Starts()
    {
        await StartAsync(new() { ["Router:Cache:Enabled"] = "true" });
    }

    private static Task StartAsync(Dictionary<string, string?> settings) => GatewayStartup.StartAndStopAsync(settings);
}
