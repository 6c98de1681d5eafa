using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Router.Gateway.Resilience;
using static Gateway.Tests.Resilience.Attempts;

namespace Gateway.Tests.Resilience;

/// <summary>The per-arm pipeline on fake time: breaker transitions, retry rules.</summary>
public sealed class ArmResilienceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Breaker_FailuresOverRatio_OpensThenHalfOpensAfterBreakAndClosesOnSuccess()
    {
        var resilience = Create(new ResilienceOptions { MaxRetries = 0, BreakerMinimumThroughput = 4, BreakerFailureRatio = 0.5, BreakerBreakDuration = TimeSpan.FromSeconds(20) });
        var pipeline = resilience.PipelineFor("a");
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Ok));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Failed500));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Ok));
        Assert.Equal(CircuitState.Closed, resilience.StateOf("a"));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Failed500)); // 2 of 4 = 0.5 → open
        Assert.Equal(CircuitState.Open, resilience.StateOf("a"));
        Assert.False(resilience.IsAvailable("a"));
        Assert.Equal(TimeSpan.FromSeconds(20), resilience.RemainingBreak("a"));
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Ok)));

        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(resilience.IsAvailable("a"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(resilience.IsAvailable("a"));
        Assert.Equal(CircuitState.HalfOpen, resilience.StateOf("a"));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Ok));
        Assert.Equal(CircuitState.Closed, resilience.StateOf("a"));
        Assert.True(resilience.IsAvailable("b")); // arms are independent; unknown = closed
    }

    [Fact]
    public async Task Breaker_HalfOpenTrialFails_ReopensForAnotherBreak()
    {
        var resilience = Create(new ResilienceOptions { MaxRetries = 0, BreakerMinimumThroughput = 2, BreakerBreakDuration = TimeSpan.FromSeconds(5) });
        var pipeline = resilience.PipelineFor("a");
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Failed500));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Failed500));
        _time.Advance(TimeSpan.FromSeconds(5));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(Failed500));
        Assert.Equal(CircuitState.Open, resilience.StateOf("a"));
        Assert.Equal(TimeSpan.FromSeconds(5), resilience.RemainingBreak("a"));
    }

    [Fact]
    public async Task Breaker_ClientErrors_DoNotCount()
    {
        var resilience = Create(new ResilienceOptions { MaxRetries = 0, BreakerMinimumThroughput = 2 });
        for (var i = 0; i < 10; i++)
        {
            await resilience.PipelineFor("a").ExecuteAsync(_ => ValueTask.FromResult(Failed400));
        }

        Assert.Equal(CircuitState.Closed, resilience.StateOf("a"));
    }

    [Fact]
    public async Task Retry_OnlyRetryableAttempts_AreRetriedWithJitteredDelay()
    {
        var resilience = Create(new ResilienceOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(100) });
        var calls = 0;
        var run = resilience.PipelineFor("a").ExecuteAsync(_ => ValueTask.FromResult(++calls < 3 ? Failed500 : Ok)).AsTask();
        while (!run.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50)); // retry delays run on the fake clock
            await Task.Delay(1);
        }

        Assert.Equal(Ok, await run);
        Assert.Equal(3, calls);

        // After the first byte (Retryable = false) there is never a retry.
        var streamed = 0;
        var result = await resilience.PipelineFor("b").ExecuteAsync(_ =>
        {
            streamed++;
            return ValueTask.FromResult(FailedAfterFirstByte);
        });
        Assert.Equal(1, streamed);
        Assert.Equal(FailedAfterFirstByte, result);
    }

    [Theory]
    [InlineData(-1, 0.5, 10)]
    [InlineData(1, 0, 10)]
    [InlineData(1, 1.5, 10)]
    [InlineData(1, 0.5, 1)]
    public void Options_Invalid_AreReported(int retries, double ratio, int throughput) =>
        Assert.NotEmpty(new ResilienceOptions { MaxRetries = retries, BreakerFailureRatio = ratio, BreakerMinimumThroughput = throughput }.Validate());

    private ArmResilience Create(ResilienceOptions options) =>
        new(Options.Create(options), _time, NullLogger<ArmResilience>.Instance);
}
