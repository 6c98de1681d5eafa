namespace Router.Gateway.Usage.History;

/// <summary>
/// <c>Router:Usage</c>: how long the usage history keeps each bucket size (Redis keys expire by TTL; the in-memory
/// store drops old buckets as it writes). Validated at start.
/// </summary>
public sealed record UsageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:Usage";

    /// <summary>Retention of 1-minute buckets; default 2 days (a week of minutes is 10,080 buckets per group).</summary>
    public TimeSpan MinuteRetention { get; init; } = TimeSpan.FromDays(2);

    /// <summary>Retention of 1-hour buckets; default 35 days.</summary>
    public TimeSpan HourRetention { get; init; } = TimeSpan.FromDays(35);

    /// <summary>Retention of 1-day buckets; default 400 days (a year and a month, for year-on-year views).</summary>
    public TimeSpan DayRetention { get; init; } = TimeSpan.FromDays(400);

    /// <summary>The retention of <paramref name="size"/>.</summary>
    public TimeSpan RetentionOf(UsageBucketSize size) => size switch
    {
        UsageBucketSize.Minute => MinuteRetention,
        UsageBucketSize.Hour => HourRetention,
        _ => DayRetention,
    };

    /// <summary>Start-up validation: each retention at least one bucket wide and at most 10 years.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var size in Enum.GetValues<UsageBucketSize>())
        {
            var retention = RetentionOf(size);
            if (retention < UsageGroups.Width(size) || retention > TimeSpan.FromDays(3660))
            {
                yield return $"{SectionName}:{size}Retention must be between one bucket ({UsageGroups.Name(size)}) and 3660 days (was {retention}).";
            }
        }
    }
}
