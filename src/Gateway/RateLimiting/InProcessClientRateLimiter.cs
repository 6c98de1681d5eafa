using System.Collections.Concurrent;

namespace Router.Gateway.RateLimiting;

/// <summary>
/// In-process fixed windows (single replica). Same semantics as <see cref="RedisClientRateLimiter"/>, on the
/// injected <see cref="TimeProvider"/> so tests drive it with fake time. (System.Threading.RateLimiting's
/// FixedWindowRateLimiter runs on its own timer, cannot take a TimeProvider and cannot charge tokens after the fact,
/// which is why the windows are counted here.) Windows of past minutes are dropped as new ones start.
/// </summary>
public sealed class InProcessClientRateLimiter(TimeProvider time) : IClientRateLimiter
{
    private readonly ConcurrentDictionary<string, Counters> _windows = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken)
    {
        var window = RateWindow.At(time.GetUtcNow());
        var counters = Current(keyId, window.Index);
        lock (counters)
        {
            if (requestsPerMinute is > 0 and var rpm && counters.Requests >= rpm)
            {
                return ValueTask.FromResult(new RateLimitDecision(false, window.Remaining, "requests"));
            }

            if (tokensPerMinute is > 0 and var tpm && counters.Tokens >= tpm)
            {
                return ValueTask.FromResult(new RateLimitDecision(false, window.Remaining, "tokens"));
            }

            counters.Requests++;
        }

        return ValueTask.FromResult(RateLimitDecision.Allow);
    }

    /// <inheritdoc />
    public ValueTask ChargeTokensAsync(string keyId, int tokens, CancellationToken cancellationToken)
    {
        var counters = Current(keyId, RateWindow.At(time.GetUtcNow()).Index);
        lock (counters)
        {
            counters.Tokens += tokens;
        }

        return ValueTask.CompletedTask;
    }

    private Counters Current(string keyId, long index)
    {
        while (true)
        {
            var counters = _windows.GetOrAdd(keyId, _ => new Counters(index));
            if (counters.Index == index)
            {
                return counters;
            }

            // A new minute: replace the old window (whoever wins the swap, both use the winner).
            if (counters.Index < index)
            {
                _windows.TryUpdate(keyId, new Counters(index), counters);
            }
            else
            {
                return counters; // a clock step backwards: keep counting in the newer window
            }
        }
    }

    private sealed class Counters(long index)
    {
        public long Index { get; } = index;

        public long Requests { get; set; }

        public long Tokens { get; set; }
    }
}
