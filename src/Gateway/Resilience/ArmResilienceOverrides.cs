namespace Router.Gateway.Resilience;

/// <summary>
/// One arm's departures from <see cref="ResilienceOptions"/> (section <c>Router:Resilience:Arms:&lt;arm&gt;</c>): a
/// flaky provider can get more retries and a quicker breaker, a slow reasoning model a longer first-byte timeout,
/// while the rest keep the global settings. Unset (null) fields keep the global value.
/// </summary>
public sealed record ArmResilienceOverrides
{
    /// <summary>Overrides <see cref="ResilienceOptions.FirstByteTimeout"/>.</summary>
    public TimeSpan? FirstByteTimeout { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.TotalTimeout"/>.</summary>
    public TimeSpan? TotalTimeout { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.MaxRetries"/>.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.RetryBaseDelay"/>.</summary>
    public TimeSpan? RetryBaseDelay { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.BreakerFailureRatio"/>.</summary>
    public double? BreakerFailureRatio { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.BreakerMinimumThroughput"/>.</summary>
    public int? BreakerMinimumThroughput { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.BreakerSamplingDuration"/>.</summary>
    public TimeSpan? BreakerSamplingDuration { get; init; }

    /// <summary>Overrides <see cref="ResilienceOptions.BreakerBreakDuration"/>.</summary>
    public TimeSpan? BreakerBreakDuration { get; init; }
}
