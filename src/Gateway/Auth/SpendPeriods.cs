using System.Globalization;

namespace Router.Gateway.Auth;

/// <summary>Bucket names for spend counters: UTC day <c>yyyyMMdd</c> and month <c>yyyyMM</c>.</summary>
internal static class SpendPeriods
{
    public static (string Day, string Month) At(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return (utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture), utc.ToString("yyyyMM", CultureInfo.InvariantCulture));
    }
}
