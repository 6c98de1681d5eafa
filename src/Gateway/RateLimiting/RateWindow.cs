namespace Router.Gateway.RateLimiting;

/// <summary>The fixed one-minute window containing an instant, and the time left in it.</summary>
internal readonly record struct RateWindow(long Index, TimeSpan Remaining)
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    public static RateWindow At(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var length = (long)Length.TotalMilliseconds;
        var index = ms / length;
        return new RateWindow(index, TimeSpan.FromMilliseconds(((index + 1) * length) - ms));
    }
}
