using System.Globalization;

namespace Router.Gateway.Usage.History;

/// <summary>Names and bucket arithmetic shared by the usage stores.</summary>
public static class UsageGroups
{
    /// <summary>The group of a request with no arm (rejected before any upstream) or no key (open gateway).</summary>
    public const string None = "(none)";

    /// <summary>Every bucket size and dimension: each request is counted once in each of the nine series.</summary>
    public static readonly IReadOnlyList<(UsageBucketSize Size, UsageDimension Dimension)> Series =
    [
        .. Enum.GetValues<UsageBucketSize>().SelectMany(s => Enum.GetValues<UsageDimension>().Select(d => (s, d))),
    ];

    /// <summary>The width of a bucket.</summary>
    public static TimeSpan Width(UsageBucketSize size) => size switch
    {
        UsageBucketSize.Minute => TimeSpan.FromMinutes(1),
        UsageBucketSize.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>The start of the UTC bucket holding <paramref name="time"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset time, UsageBucketSize size)
    {
        var ticks = Width(size).Ticks;
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % ticks), TimeSpan.Zero);
    }

    /// <summary>The query-string name: <c>1m</c>, <c>1h</c>, <c>1d</c>.</summary>
    public static string Name(UsageBucketSize size) => size switch
    {
        UsageBucketSize.Minute => "1m",
        UsageBucketSize.Hour => "1h",
        _ => "1d",
    };

    /// <summary>Parses <c>1m|1h|1d</c>.</summary>
    public static bool TryParseSize(string? text, out UsageBucketSize size)
    {
        foreach (var candidate in Enum.GetValues<UsageBucketSize>())
        {
            if (string.Equals(text, Name(candidate), StringComparison.OrdinalIgnoreCase))
            {
                size = candidate;
                return true;
            }
        }

        size = default;
        return false;
    }

    /// <summary>Parses <c>arm|key|model</c>.</summary>
    public static bool TryParseDimension(string? text, out UsageDimension dimension) =>
        Enum.TryParse(text, ignoreCase: true, out dimension) && Enum.IsDefined(dimension) && !int.TryParse(text, CultureInfo.InvariantCulture, out _);
}
