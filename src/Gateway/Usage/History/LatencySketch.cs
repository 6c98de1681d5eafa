namespace Router.Gateway.Usage.History;

/// <summary>
/// A mergeable latency histogram with logarithmic bins, as in DDSketch (Masson, Rim and Lee, VLDB 2019): a value x
/// lands in bin <c>i = ceil(log_γ x)</c>; a quantile is estimated as <c>2γ^i/(γ+1)</c>, within a relative error of
/// <c>α = (γ−1)/(γ+1)</c> of the true value. γ = 1.1 gives α ≈ 4.8% with about 25 bins per decade. Two sketches merge
/// by adding bin counts, which is what lets every replica HINCRBY its requests into one Redis hash. Not thread-safe.
/// </summary>
public sealed class LatencySketch
{
    /// <summary>The bin ratio γ.</summary>
    public const double Gamma = 1.1;

    /// <summary>Latencies below this (ms) share the lowest bin (sub-microsecond precision is noise here).</summary>
    public const double MinimumMs = 0.001;

    private static readonly double LogGamma = Math.Log(Gamma);
    private readonly SortedDictionary<int, long> _bins = [];

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>The bin index of <paramref name="latencyMs"/>.</summary>
    public static int BinOf(double latencyMs) =>
        (int)Math.Ceiling(Math.Log(Math.Max(MinimumMs, double.IsFinite(latencyMs) ? latencyMs : MinimumMs)) / LogGamma);

    /// <summary>Adds one value.</summary>
    public void Add(double latencyMs) => AddBin(BinOf(latencyMs), 1);

    /// <summary>Adds <paramref name="count"/> values to bin <paramref name="bin"/> (merging a stored sketch).</summary>
    public void AddBin(int bin, long count)
    {
        if (count <= 0)
        {
            return;
        }

        _bins[bin] = _bins.GetValueOrDefault(bin) + count;
        Count += count;
    }

    /// <summary>The bins and their counts, lowest first.</summary>
    public IEnumerable<KeyValuePair<int, long>> Bins => _bins;

    /// <summary>
    /// The q-quantile (0 &lt; q ≤ 1) by the nearest-rank rule (the value at rank ⌈q·n⌉); null when empty.
    /// </summary>
    public double? Quantile(double q)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        foreach (var (bin, count) in _bins)
        {
            seen += count;
            if (seen >= rank)
            {
                return Math.Round(2 * Math.Pow(Gamma, bin) / (Gamma + 1), 3);
            }
        }

        return Math.Round(2 * Math.Pow(Gamma, _bins.Keys.Max()) / (Gamma + 1), 3);
    }
}
