using Router.Gateway.Usage.History;

namespace Gateway.Tests.Usage;

/// <summary>
/// The DDSketch-style latency histogram behind <c>/admin/usage</c>'s p50/p99: estimates within the relative error
/// α = (γ−1)/(γ+1) of the exact nearest-rank quantile, and merging by bin addition equals sketching the union.
/// </summary>
public sealed class LatencySketchTests
{
    private const double Alpha = (LatencySketch.Gamma - 1) / (LatencySketch.Gamma + 1);

    // Quantile rounds to 3 decimals (0.0005 ms at most), on top of the sketch's relative error.
    private const double RoundingMs = 0.0005;

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.9)]
    [InlineData(3, 0.99)]
    [InlineData(4, 0.999)]
    [InlineData(5, 1.0)]
    public void Quantile_SeededLogNormalSample_WithinRelativeErrorOfExact(int seed, double q)
    {
        var values = LogNormalLatencies(seed, 20_000);
        var sketch = new LatencySketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        var exact = NearestRank(values, q);
        var estimate = sketch.Quantile(q)!.Value;
        Assert.Equal(values.Length, sketch.Count);
        Assert.True(Math.Abs(estimate - exact) <= (Alpha * exact) + RoundingMs, $"q={q}: sketch {estimate} ms, exact {exact} ms, α={Alpha:F4}");
    }

    [Fact]
    public void Merge_BinsOfTwoReplicasAdded_EqualTheSketchOfAllValues()
    {
        var a = LogNormalLatencies(11, 5_000);
        var b = LogNormalLatencies(12, 3_000).Select(v => v * 4).ToArray();   // a slower replica: a different distribution
        var left = Sketch(a);
        var right = Sketch(b);
        var whole = Sketch([.. a, .. b]);

        // What RedisUsageStore does: HINCRBY each replica's bins into one hash, read the hash back as one sketch.
        var merged = new LatencySketch();
        foreach (var (bin, count) in left.Bins.Concat(right.Bins))
        {
            merged.AddBin(bin, count);
        }

        Assert.Equal(whole.Bins, merged.Bins);
        Assert.Equal(a.Length + b.Length, merged.Count);
        foreach (var q in new[] { 0.5, 0.9, 0.99 })
        {
            var exact = NearestRank([.. a, .. b], q);
            Assert.Equal(whole.Quantile(q), merged.Quantile(q));
            Assert.True(Math.Abs(merged.Quantile(q)!.Value - exact) <= (Alpha * exact) + RoundingMs, $"q={q}");
        }
    }

    [Fact]
    public void Empty_HasNoQuantile_AndNonPositiveCountsAreIgnored()
    {
        var sketch = new LatencySketch();
        Assert.Null(sketch.Quantile(0.5));
        sketch.AddBin(10, 0);
        sketch.AddBin(10, -3);
        Assert.Equal(0, sketch.Count);
        Assert.Null(sketch.Quantile(0.99));
    }

    [Fact]
    public void TinyZeroAndNonFiniteValues_ShareTheLowestBin()
    {
        var lowest = LatencySketch.BinOf(LatencySketch.MinimumMs);
        Assert.Equal(lowest, LatencySketch.BinOf(0));
        Assert.Equal(lowest, LatencySketch.BinOf(-5));
        Assert.Equal(lowest, LatencySketch.BinOf(double.NaN));
        Assert.Equal(lowest, LatencySketch.BinOf(double.PositiveInfinity));
        Assert.Equal(lowest, LatencySketch.BinOf(LatencySketch.MinimumMs / 100));
    }

    [Fact]
    public void Bins_AreOrderedAndEachValueLandsInTheBinCoveringIt()
    {
        var random = new Random(7);
        for (var i = 0; i < 1_000; i++)
        {
            var v = Math.Exp((random.NextDouble() * 14) - 4);   // 0.02 ms … 20 s
            var bin = LatencySketch.BinOf(v);

            // Bin i covers (γ^(i−1), γ^i] (up to floating-point rounding at the edges).
            Assert.True(v <= Math.Pow(LatencySketch.Gamma, bin) * (1 + 1e-12), $"{v} above bin {bin}");
            Assert.True(v > Math.Pow(LatencySketch.Gamma, bin - 1) * (1 - 1e-12), $"{v} below bin {bin}");
        }

        var sketch = Sketch(LogNormalLatencies(8, 500));
        var keys = sketch.Bins.Select(b => b.Key).ToArray();
        Assert.Equal(keys.Order(), keys);
    }

    private static LatencySketch Sketch(IEnumerable<double> values)
    {
        var sketch = new LatencySketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        return sketch;
    }

    // Latencies of a typical LLM call: log-normal around ~400 ms with a long tail (σ = 0.8), via Box–Muller.
    private static double[] LogNormalLatencies(int seed, int n)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            values[i] = Math.Exp(6 + (0.8 * z));
        }

        return values;
    }

    // The value at rank ⌈q·n⌉ (1-based), the rule LatencySketch.Quantile estimates.
    private static double NearestRank(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        var rank = Math.Max(1, (int)Math.Ceiling(q * sorted.Length));
        return sorted[rank - 1];
    }
}
