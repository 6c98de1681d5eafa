namespace Router.Core.Latency;

/// <summary>
/// MixLLM's expected response time for one arm (DESIGN.md step 7):
/// <c>t̂ = wait + ttft + len̂/tps</c>, with <c>wait = max(0, inFlight − concurrency + 1) · service / concurrency</c>
/// (requests beyond the arm's concurrency queue; the arm drains <c>concurrency</c> of them per mean service time
/// <c>service = ttft + len̂/tps</c>).
/// </summary>
public static class LatencyEstimate
{
    /// <summary>Expected seconds until the whole answer is back.</summary>
    public static double ExpectedSeconds(double ttftSeconds, double tokensPerSecond, double completionTokens, int inFlight, int concurrency)
    {
        var generation = completionTokens / Math.Max(tokensPerSecond, 1e-6);
        var service = ttftSeconds + generation;
        var slots = Math.Max(1, concurrency);
        var queued = Math.Max(0, inFlight - slots + 1);
        return (queued * service / slots) + service;
    }

    /// <summary>The soft penalty <c>β·max(0, t̂ − t_target)</c>.</summary>
    public static double Penalty(double expectedSeconds, double beta, double targetSeconds) =>
        beta * Math.Max(0, expectedSeconds - targetSeconds);

    /// <summary>
    /// An EWMA read at <c>age</c> seconds after its last observation: it falls back towards the configured
    /// <paramref name="prior"/> with the given half-life, so an arm that was slow an hour ago is tried again.
    /// </summary>
    public static double Decayed(double ewma, double prior, double ageSeconds, double halfLifeSeconds)
    {
        if (ageSeconds <= 0 || halfLifeSeconds <= 0)
        {
            return ewma;
        }

        var keep = Math.Pow(0.5, ageSeconds / halfLifeSeconds);
        return prior + ((ewma - prior) * keep);
    }
}
