namespace Router.Gateway.Resilience;

/// <summary>
/// Per-arm resilience settings (section <c>Router:Resilience</c>): each arm gets its own retry and circuit breaker
/// built from them, with the arm's entry in <see cref="Arms"/> (if any) on top. Validated at start.
/// </summary>
public sealed record ResilienceOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Router:Resilience";

    /// <summary>TCP/TLS connect timeout per attempt (capped by the arm's own timeout). Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time from sending the request to the upstream's response headers; null = the arm's <c>TimeoutSeconds</c>.
    /// Hitting it before anything reached the client allows a retry or a fallback.
    /// </summary>
    public TimeSpan? FirstByteTimeout { get; init; }

    /// <summary>Whole-attempt deadline, streaming included. Default 10 min (a long reasoning completion).</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries on the same arm (before the first byte only) before falling back to the next arm. Default 1; 0 = none.</summary>
    public int MaxRetries { get; init; } = 1;

    /// <summary>Base delay of the exponential backoff with jitter (Polly's decorrelated jitter). Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Failure ratio (5xx, 429, timeouts, connection errors) that opens an arm's circuit. Default 0.5.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the ratio counts. Default 10.</summary>
    public int BreakerMinimumThroughput { get; init; } = 10;

    /// <summary>Sliding window of the failure ratio. Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit keeps the arm out of routing before one trial (half-open). Default 30 s.</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed of the retry jitter (STYLE.md #4: reproducible).</summary>
    public int JitterSeed { get; init; } = 17;

    /// <summary>
    /// Per-arm overrides by arm name (case-insensitive), e.g. <c>Router:Resilience:Arms:claude-sonnet:MaxRetries</c>.
    /// An arm not listed, or a setting not given, keeps the global value. Names of arms not configured yet are allowed
    /// (an arm added later through the admin API picks its entry up).
    /// </summary>
    public Dictionary<string, ArmResilienceOverrides> Arms { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The settings in force for <paramref name="arm"/>: these, with the arm's overrides on top.</summary>
    public ResilienceOptions For(string arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        var o = Arms.FirstOrDefault(a => string.Equals(a.Key, arm, StringComparison.OrdinalIgnoreCase)).Value;
        return o is null ? this : this with
        {
            FirstByteTimeout = o.FirstByteTimeout ?? FirstByteTimeout,
            TotalTimeout = o.TotalTimeout ?? TotalTimeout,
            MaxRetries = o.MaxRetries ?? MaxRetries,
            RetryBaseDelay = o.RetryBaseDelay ?? RetryBaseDelay,
            BreakerFailureRatio = o.BreakerFailureRatio ?? BreakerFailureRatio,
            BreakerMinimumThroughput = o.BreakerMinimumThroughput ?? BreakerMinimumThroughput,
            BreakerSamplingDuration = o.BreakerSamplingDuration ?? BreakerSamplingDuration,
            BreakerBreakDuration = o.BreakerBreakDuration ?? BreakerBreakDuration,
        };
    }

    /// <summary>Validation messages (empty when valid), the arms' merged settings included.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(ValidateValues(SectionName));
        foreach (var (arm, overrides) in Arms)
        {
            // The binder drops what it cannot place: a misspelt setting, or an arm name with ':' (a key separator,
            // so "llama3:8b" binds as arm "llama3" with an unknown "8b"). Such an entry would silently change nothing.
            if (overrides is null || overrides == new ArmResilienceOverrides())
            {
                errors.Add($"{SectionName}:Arms:{arm} sets none of the per-arm settings (misspelt? An arm name containing ':' cannot be a configuration key).");
                continue;
            }

            errors.AddRange(For(arm).ValidateValues($"{SectionName}:Arms:{arm}"));
        }

        return errors;
    }

    private List<string> ValidateValues(string prefix)
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{prefix}:{name} must be positive.");
            }
        }

        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(TotalTimeout, nameof(TotalTimeout));
        Positive(RetryBaseDelay, nameof(RetryBaseDelay));
        Positive(BreakerBreakDuration, nameof(BreakerBreakDuration));
        if (FirstByteTimeout is { } fb)
        {
            Positive(fb, nameof(FirstByteTimeout));
        }

        // A timeout runs on a timer, which takes at most 2^32 - 2 ms (~49.7 days): longer threw on every attempt.
        void AtMost49Days(TimeSpan value, string name)
        {
            if (value > TimeSpan.FromDays(49))
            {
                errors.Add($"{prefix}:{name} must be at most 49 days.");
            }
        }

        AtMost49Days(TotalTimeout, nameof(TotalTimeout));
        if (FirstByteTimeout is { } first)
        {
            AtMost49Days(first, nameof(FirstByteTimeout));
        }

        // Polly's own bounds: sampling and break in [0.5 s, 1 day], retry delay ≤ 1 day, throughput ≥ 2, ratio in
        // (0, 1]. Polly checks them when an arm's pipeline is built, on its first request: outside them, every request
        // to the arm failed while the start had passed.
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{prefix}:BreakerSamplingDuration must be at least 0.5 s.");
        }

        if (BreakerSamplingDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:BreakerSamplingDuration must be at most 1 day.");
        }

        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{prefix}:BreakerBreakDuration must be at least 0.5 s.");
        }

        if (BreakerBreakDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:BreakerBreakDuration must be at most 1 day.");
        }

        if (RetryBaseDelay > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:RetryBaseDelay must be at most 1 day.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            errors.Add($"{prefix}:MaxRetries must be between 0 and 10.");
        }

        if (BreakerFailureRatio is <= 0 or > 1 || double.IsNaN(BreakerFailureRatio))
        {
            errors.Add($"{prefix}:BreakerFailureRatio must be in (0, 1].");
        }

        if (BreakerMinimumThroughput < 2)
        {
            errors.Add($"{prefix}:BreakerMinimumThroughput must be at least 2.");
        }

        return errors;
    }
}
