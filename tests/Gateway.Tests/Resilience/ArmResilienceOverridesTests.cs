using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Router.Gateway.Resilience;
using static Gateway.Tests.Resilience.Attempts;

namespace Gateway.Tests.Resilience;

/// <summary>Per-arm resilience overrides (<c>Router:Resilience:Arms:&lt;arm&gt;</c>): binding, merging, validation, pipelines.</summary>
public sealed class ArmResilienceOverridesTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Bind_ArmSection_OverridesOnlyTheGivenSettingsOfThatArm()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Router:Resilience:MaxRetries"] = "2",
            ["Router:Resilience:FirstByteTimeout"] = "00:00:10",
            ["Router:Resilience:Arms:Flaky-Provider:MaxRetries"] = "4",
            ["Router:Resilience:Arms:Flaky-Provider:BreakerBreakDuration"] = "00:00:05",
            ["Router:Resilience:Arms:slow-reasoner:FirstByteTimeout"] = "00:02:00",
        });

        var flaky = options.For("flaky-provider"); // arm names match case-insensitively
        var slow = options.For("slow-reasoner");
        var other = options.For("other");

        Assert.Empty(options.Validate());
        Assert.Equal((4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)), (flaky.MaxRetries, flaky.BreakerBreakDuration, flaky.FirstByteTimeout));
        Assert.Equal((2, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)), (slow.MaxRetries, slow.BreakerBreakDuration, slow.FirstByteTimeout));
        Assert.Same(options, other);
    }

    [Fact]
    public void Bind_FromEnvironmentVariables_ArmNameMatchesCaseInsensitively()
    {
        var prefix = "ROUTER_TEST_" + Guid.NewGuid().ToString("N") + "_";
        Environment.SetEnvironmentVariable(prefix + "Router__Resilience__Arms__My-Arm.v2__MaxRetries", "3");
        try
        {
            var options = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build()
                .GetSection(ResilienceOptions.SectionName).Get<ResilienceOptions>() ?? new ResilienceOptions();

            Assert.Empty(options.Validate());
            Assert.Equal(3, options.For("my-arm.V2").MaxRetries);
            Assert.Equal(1, options.For("my-arm").MaxRetries);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Router__Resilience__Arms__My-Arm.v2__MaxRetries", null);
        }
    }

    [Fact]
    public void Validate_BadArmOverride_NamesTheArmsSetting()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Router:Resilience:Arms:flaky:MaxRetries"] = "11",
            ["Router:Resilience:Arms:flaky:BreakerFailureRatio"] = "0",
        });

        var errors = options.Validate();

        Assert.Equal(
            ["Router:Resilience:Arms:flaky:MaxRetries must be between 0 and 10.", "Router:Resilience:Arms:flaky:BreakerFailureRatio must be in (0, 1]."],
            errors);
    }

    [Theory]
    [InlineData("BreakerBreakDuration", "2.00:00:00", "Router:Resilience:Arms:slow.reasoner:BreakerBreakDuration must be at most 1 day")]
    [InlineData("BreakerSamplingDuration", "2.00:00:00", "Router:Resilience:Arms:slow.reasoner:BreakerSamplingDuration must be at most 1 day")]
    [InlineData("RetryBaseDelay", "2.00:00:00", "Router:Resilience:Arms:slow.reasoner:RetryBaseDelay must be at most 1 day")]
    [InlineData("TotalTimeout", "60.00:00:00", "Router:Resilience:Arms:slow.reasoner:TotalTimeout must be at most 49 days")]
    [InlineData("FirstByteTimeout", "60.00:00:00", "Router:Resilience:Arms:slow.reasoner:FirstByteTimeout must be at most 49 days")]
    public async Task StartAsync_ArmOverrideBeyondWhatThePipelineAccepts_FailsTheStartNamingTheArmsSetting(string setting, string value, string message)
    {
        // Polly rejects a break, sampling window or retry delay over 1 day, a timer a timeout over ~49.7 days: such a
        // value passed validation and then failed every request to the arm (its pipeline is built on first use).
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { [$"Router:Resilience:Arms:slow.reasoner:{setting}"] = value }));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipelines_LongestValidSettings_Build()
    {
        var longest = new ResilienceOptions
        {
            MaxRetries = 1,
            RetryBaseDelay = TimeSpan.FromDays(1),
            BreakerBreakDuration = TimeSpan.FromDays(1),
            BreakerSamplingDuration = TimeSpan.FromDays(1),
            TotalTimeout = TimeSpan.FromDays(49),
            FirstByteTimeout = TimeSpan.FromDays(49),
        };
        var resilience = new ArmResilience(Options.Create(longest), TimeProvider.System, NullLogger<ArmResilience>.Instance);

        Assert.Empty(longest.Validate());
        Assert.NotNull(resilience.PipelineFor("any"));
        using var total = new CancellationTokenSource(longest.TotalTimeout, TimeProvider.System);
    }

    [Theory]
    [InlineData("Router:Resilience:Arms:llama3:8b:MaxRetries", "Router:Resilience:Arms:llama3 sets none")] // ':' splits the arm's name
    [InlineData("Router:Resilience:Arms:flaky:MaxRetry", "Router:Resilience:Arms:flaky sets none")] // misspelt setting
    public void Validate_ArmEntryThatSetsNothing_IsAnErrorNotSilentlyIgnored(string key, string message)
    {
        var options = Bind(new Dictionary<string, string?> { [key] = "3" });

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipelines_EachArmUsesItsOwnSettings()
    {
        var resilience = new ArmResilience(Options.Create(new ResilienceOptions
        {
            MaxRetries = 0,
            BreakerMinimumThroughput = 10,
            Arms = new(StringComparer.OrdinalIgnoreCase) { ["flaky"] = new ArmResilienceOverrides { BreakerMinimumThroughput = 2, BreakerFailureRatio = 1 } },
        }), _time, NullLogger<ArmResilience>.Instance);

        foreach (var arm in new[] { "flaky", "steady" })
        {
            await resilience.PipelineFor(arm).ExecuteAsync(_ => ValueTask.FromResult(Failed500));
            await resilience.PipelineFor(arm).ExecuteAsync(_ => ValueTask.FromResult(Failed500));
        }

        Assert.Equal(CircuitState.Open, resilience.StateOf("flaky")); // 2 of 2 failed, its minimum throughput is 2
        Assert.Equal(CircuitState.Closed, resilience.StateOf("steady")); // global minimum throughput 10 not reached
        Assert.Equal(2, resilience.OptionsFor("FLAKY").BreakerMinimumThroughput);
        Assert.Equal(10, resilience.OptionsFor("steady").BreakerMinimumThroughput);
        Assert.Equal(Ok, await resilience.PipelineFor("steady").ExecuteAsync(_ => ValueTask.FromResult(Ok)));
    }

    [Fact]
    public async Task Pipelines_RetriesPerArm()
    {
        var resilience = new ArmResilience(Options.Create(new ResilienceOptions
        {
            MaxRetries = 0,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            Arms = new(StringComparer.OrdinalIgnoreCase) { ["flaky"] = new ArmResilienceOverrides { MaxRetries = 2 } },
        }), _time, NullLogger<ArmResilience>.Instance);
        var calls = new Dictionary<string, int> { ["flaky"] = 0, ["steady"] = 0 };

        foreach (var arm in calls.Keys.ToList())
        {
            var run = resilience.PipelineFor(arm).ExecuteAsync(_ => ValueTask.FromResult(++calls[arm] < 3 ? Failed500 : Ok)).AsTask();
            while (!run.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(50)); // retry delays run on the fake clock
                await Task.Delay(1);
            }

            await run;
        }

        Assert.Equal(3, calls["flaky"]); // two retries, the third call succeeds
        Assert.Equal(1, calls["steady"]); // no retry
    }

    private static Task StartAsync(Dictionary<string, string?> settings) => GatewayStartup.StartAndStopAsync(settings);

    private static ResilienceOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(ResilienceOptions.SectionName).Get<ResilienceOptions>()
        ?? new ResilienceOptions();
}
