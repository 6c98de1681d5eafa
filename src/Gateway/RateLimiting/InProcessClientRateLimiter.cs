using System.Collections.Concurrent;

namespace Router.Gateway.RateLimiting;

/// <summary>
/// In-process sliding-window counters (single replica). Same semantics and arithmetic (<see cref="RateWindow"/>) as
/// <see cref="RedisClientRateLimiter"/>, on the injected <see cref="TimeProvider"/> so tests drive it with fake time.
/// (System.Threading.RateLimiting's SlidingWindowRateLimiter runs on its own timer, cannot take a TimeProvider and cannot
/// charge tokens after the fact, which is why the windows are counted here.) Each key keeps its current and previous
/// window's counts, rolled forward under the key's lock. Thread-safe.
/// </summary>
public sealed class InProcessClientRateLimiter(TimeProvider time) : IClientRateLimiter
{
    private readonly ConcurrentDictionary<string, Counters> _keys = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, int? requestsPerMinute, int? tokensPerMinute, CancellationToken cancellationToken)
    {
        var counters = _keys.GetOrAdd(keyId, static _ => new Counters());
        lock (counters)
        {
            var window = counters.RollTo(RateWindow.At(time.GetUtcNow()));
            var decision = RateLimitDecision.From(
                window,
                requestsPerMinute,
                counters.Requests,
                counters.PreviousRequests,
                tokensPerMinute,
                counters.Tokens,
                counters.PreviousTokens);
            if (decision.Allowed)
            {
                counters.Requests++;
            }

            return ValueTask.FromResult(decision);
        }
    }

    /// <inheritdoc />
    public ValueTask ChargeTokensAsync(string keyId, int tokens, CancellationToken cancellationToken)
    {
        if (tokens <= 0)
        {
            return ValueTask.CompletedTask;
        }

        var counters = _keys.GetOrAdd(keyId, static _ => new Counters());
        lock (counters)
        {
            counters.RollTo(RateWindow.At(time.GetUtcNow()));
            counters.Tokens += tokens;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>One key's current and previous window; guarded by locking the instance.</summary>
    private sealed class Counters
    {
        private long _index = long.MinValue;

        public long Requests { get; set; }

        public long Tokens { get; set; }

        public long PreviousRequests { get; private set; }

        public long PreviousTokens { get; private set; }

        /// <summary>Moves the counts to <paramref name="window"/> and returns the window to count in.</summary>
        public RateWindow RollTo(RateWindow window)
        {
            if (window.Index == _index)
            {
                return window;
            }

            if (window.Index < _index)
            {
                // A clock step backwards: keep counting in the newer window, as if at its start (the most conservative).
                return new RateWindow(_index, 0);
            }

            var adjacent = window.Index == _index + 1;
            PreviousRequests = adjacent ? Requests : 0;
            PreviousTokens = adjacent ? Tokens : 0;
            Requests = 0;
            Tokens = 0;
            _index = window.Index;
            return window;
        }
    }
}
