using BenchmarkDotNet.Attributes;
using Router.Core.Arms;
using Router.Core.Decision;
using Router.Core.Diagnostics;
using Router.Core.Routing;

namespace Router.Benchmarks;

/// <summary>The decision without the encoder: head projection (384 → 64) + scoring + ranking. Target ≤ 50 µs for 16 arms.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private readonly RoutingPolicy _policy = new() { Lambda = 1, Alpha = 0.1, Beta = 0.1, TargetLatencySeconds = 10, TimeLimitSeconds = 60 };
    private MixLlmEngine _engine = null!;
    private ArmDefinition[] _arms = null!;
    private float[] _raw = null!;
    private float[] _projected = null!;

    [Params(4, 16)]
    public int Arms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_engine, _arms) = EngineBenchmark.CreateSyntheticEngine(Arms, 384, 64);
        var random = new Random(3);
        _raw = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _projected = new float[_engine.EmbeddingDimension];
    }

    [Benchmark]
    public string Decide()
    {
        _engine.Project(_raw, _projected);
        return _engine.Decide("bench", _projected, 30, _arms, _policy).ChosenArm;
    }
}
