namespace Router.Gateway.RateLimiting;

/// <summary>
/// The one-minute window containing an instant and the sliding-window-counter arithmetic on it (the two-window
/// weighted estimate described by Cloudflare, "How we built rate limiting capable of scaling to millions of domains",
/// 2017: <c>estimate = current + previous × (1 − elapsed / window)</c>). It assumes the previous window's events were
/// spread evenly, so a burst at the end of one window still counts, decaying linearly, in the next: fixed windows let a
/// client send up to 2× its limit across a boundary; the estimate never lets the last 60 s exceed the limit when the
/// traffic is even, and overshoots by at most the previous window's unevenness otherwise.
/// </summary>
/// <remarks>
/// All arithmetic is exact integer arithmetic in "count × milliseconds" (the estimate scaled by the window length), so a
/// refusal's wait, replayed on the same clock, is admitted at exactly that millisecond and not one earlier. The same
/// comparison is written once more in <see cref="RedisClientRateLimiter"/>'s Lua script (doubles there, exact below 2^53:
/// counts up to 1.5 × 10^11 per window). Thread-safe (immutable).
/// </remarks>
/// <param name="Index">Window number: Unix milliseconds / window length.</param>
/// <param name="ElapsedMs">Milliseconds elapsed in the window, in [0, <see cref="LengthMs"/>).</param>
internal readonly record struct RateWindow(long Index, long ElapsedMs)
{
    /// <summary>The window length: one minute (the limits are per minute).</summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    /// <summary><see cref="Length"/> in milliseconds.</summary>
    public static readonly long LengthMs = (long)Length.TotalMilliseconds;

    /// <summary>Time left in the window.</summary>
    public TimeSpan Remaining => TimeSpan.FromMilliseconds(LengthMs - ElapsedMs);

    /// <summary>The window containing <paramref name="now"/>.</summary>
    public static RateWindow At(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var index = Math.DivRem(ms, LengthMs, out var elapsed);
        return new RateWindow(index, elapsed);
    }

    /// <summary>
    /// The largest scaled estimate (<c>current × L + previous × (L − elapsed)</c>, L = window length in ms) that still
    /// admits one more request under <paramref name="limit"/>: <c>estimate + 1 ≤ limit</c>.
    /// </summary>
    public static long RequestBudget(int limit) => (limit - 1L) * LengthMs;

    /// <summary>
    /// The largest scaled estimate that admits a request under a tokens limit. Tokens are charged after the request
    /// (its cost is unknown when it is admitted), so a request is admitted while <c>estimate &lt; limit</c>.
    /// </summary>
    public static long TokenBudget(int limit) => (limit * LengthMs) - 1;

    /// <summary>The scaled estimate: <c>current × L + previous × (L − elapsed)</c>.</summary>
    public long ScaledEstimate(long current, long previous) => (current * LengthMs) + (previous * (LengthMs - ElapsedMs));

    /// <summary>True when the estimate is within <paramref name="budget"/> (see <see cref="RequestBudget"/>).</summary>
    public bool Admits(long current, long previous, long budget) => ScaledEstimate(current, previous) <= budget;

    /// <summary>
    /// How long until the estimate falls within <paramref name="budget"/> if nothing else is counted meanwhile (zero when
    /// it already does). The estimate falls linearly for the rest of this window (the previous window's share decays), then
    /// this window's count decays through the next one; after that it is zero.
    /// </summary>
    public TimeSpan WaitUntilAdmitted(long current, long previous, long budget)
    {
        if (Admits(current, previous, budget))
        {
            return TimeSpan.Zero;
        }

        if (current * LengthMs <= budget)
        {
            // In this window: smallest e ≥ ElapsedMs with previous × (L − e) ≤ budget − current × L (previous > 0 here).
            var elapsed = LengthMs - ((budget - (current * LengthMs)) / previous);
            return TimeSpan.FromMilliseconds(elapsed - ElapsedMs);
        }

        // In the next window (this one becomes the previous, nothing counted yet): smallest g with current × (L − g) ≤ budget.
        // A negative budget (limit below the cost) is never admitted; wait for the whole next window then.
        var into = budget < 0 ? LengthMs : LengthMs - (budget / current);
        return TimeSpan.FromMilliseconds(LengthMs - ElapsedMs + into);
    }
}
