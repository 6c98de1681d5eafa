using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Router.Core.Latency;

/// <summary>
/// Requests in flight per arm on this replica (local, not part of the folded state). The gateway calls
/// <see cref="Begin"/> before forwarding and <see cref="End"/> when the upstream call ends. Thread-safe, lock-free.
/// </summary>
public sealed class ArmLoadTracker
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Counts one more request in flight to <paramref name="arm"/>; returns the new count.</summary>
    public int Begin(string arm) => Interlocked.Increment(ref Counter(arm).Value);

    /// <summary>Counts one request fewer (never below 0).</summary>
    public void End(string arm)
    {
        var box = Counter(arm);
        int current;
        do
        {
            current = Volatile.Read(ref box.Value);
            if (current == 0)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref box.Value, current - 1, current) != current);
    }

    /// <summary>Requests in flight to <paramref name="arm"/> now.</summary>
    public int InFlight(string arm) => _inFlight.TryGetValue(arm, out var box) ? Volatile.Read(ref box.Value) : 0;

    private StrongBox<int> Counter(string arm) => _inFlight.GetOrAdd(arm, static _ => new StrongBox<int>());
}
