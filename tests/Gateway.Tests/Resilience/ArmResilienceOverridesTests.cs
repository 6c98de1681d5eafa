using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Router.Gateway.Forwarding;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;

namespace Gateway.Tests.Resilience;

/// <summary>Per-arm resilience overrides (<c>Router:Resilience:Arms:&lt;arm&gt;</c>): binding, merging, validation, pipelines.</summary>
public sealed class ArmResilienceOverridesTests
{
    private static readonly UpstreamAttempt Ok = new(RequestOutcome.Succeeded, false, "ok", null, null, null, 200);
    private static readonly UpstreamAttempt Failed500 = new(RequestOutcome.UpstreamError, true, "status 500", null, null, null, 500);
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

    private static ResilienceOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(ResilienceOptions.SectionName).Get<ResilienceOptions>()
        ?? new ResilienceOptions();
}
