using Router.Core.Arms;

namespace Router.Training.Simulation;

/// <summary>
/// Arms as multi-server FIFO queues (M/G/c): arm l serves <see cref="ArmDefinition.MaxConcurrency"/> requests at once;
/// a request arriving at t starts when the earliest of its servers is free, waits <c>start − t</c>, and generates for
/// <c>ttft + completion_tokens / tokens_per_second</c> (the arm's <see cref="ArmDefinition.TimeToFirstTokenSeconds"/>
/// and <see cref="ArmDefinition.TokensPerSecond"/>). Requests must be submitted in arrival order. Not thread-safe.
/// </summary>
public sealed class QueueSimulator
{
    private readonly IReadOnlyList<ArmDefinition> _arms;
    private readonly double[][] _freeAt;

    /// <summary>Creates idle queues for <paramref name="arms"/>.</summary>
    public QueueSimulator(IReadOnlyList<ArmDefinition> arms)
    {
        _arms = arms;
        _freeAt = arms.Select(a => new double[Math.Max(1, a.MaxConcurrency)]).ToArray();
    }

    /// <summary>Seconds a request arriving at <paramref name="now"/> would wait for a free slot of arm <paramref name="arm"/>.</summary>
    public double Wait(int arm, double now) => Math.Max(0, _freeAt[arm].Min() - now);

    /// <summary>Generation time of <paramref name="completionTokens"/> tokens on arm <paramref name="arm"/>.</summary>
    public double GenerationTime(int arm, double completionTokens) =>
        _arms[arm].TimeToFirstTokenSeconds + completionTokens / _arms[arm].TokensPerSecond;

    /// <summary>Expected wait plus generation on <paramref name="arm"/> for a request at <paramref name="now"/> (what the latency-aware policy sees).</summary>
    public double ExpectedTime(int arm, double now, double completionTokens) => Wait(arm, now) + GenerationTime(arm, completionTokens);

    /// <summary>Submits a request; returns its wait and its total time (wait + generation).</summary>
    public (double Wait, double Total) Submit(int arm, double now, double completionTokens)
    {
        var slots = _freeAt[arm];
        var s = 0;
        for (var i = 1; i < slots.Length; i++)
        {
            if (slots[i] < slots[s])
            {
                s = i;
            }
        }

        var start = Math.Max(now, slots[s]);
        var generation = GenerationTime(arm, completionTokens);
        slots[s] = start + generation;
        var wait = start - now;
        return (wait, wait + generation);
    }

    /// <summary>Poisson arrival times: <paramref name="count"/> exponential gaps of mean 1/<paramref name="ratePerSecond"/>, from a seeded draw.</summary>
    public static double[] PoissonArrivals(int count, double ratePerSecond, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        var rng = new Random(seed);
        var times = new double[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += -Math.Log(1 - rng.NextDouble()) / ratePerSecond;
            times[i] = t;
        }

        return times;
    }
}
