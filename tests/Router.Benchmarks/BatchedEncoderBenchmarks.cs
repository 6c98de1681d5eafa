using BenchmarkDotNet.Attributes;
using Router.Core.Diagnostics;
using Router.Core.Embedding;

namespace Router.Benchmarks;

/// <summary>
/// Eight short queries: eight single runs against one batched run (what <see cref="MicroBatchingQueryEncoder"/> does
/// under load), for the fp32 and the int8 encoder. Per-operation time is for all eight.
/// </summary>
[MemoryDiagnoser]
public class BatchedEncoderBenchmarks : IDisposable
{
    private MiniLmEncoder _encoder = null!;
    private string[] _queries = null!;
    private float[] _destination = null!;

    [Params(EncoderPrecision.Float32, EncoderPrecision.Int8)]
    public EncoderPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = 1, Precision = Precision });
        _queries = [.. EngineBenchmark.ShortQueries.Take(8)];
        _destination = new float[_queries.Length * _encoder.Dimension];
    }

    [Benchmark(Baseline = true)]
    public float EightSingleRuns()
    {
        var d = _encoder.Dimension;
        for (var i = 0; i < _queries.Length; i++)
        {
            _encoder.Encode([_queries[i]], _destination.AsSpan(i * d, d), CancellationToken.None);
        }

        return _destination[0];
    }

    [Benchmark]
    public float OneBatchedRun()
    {
        _encoder.Encode(_queries, _destination, CancellationToken.None);
        return _destination[0];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _encoder?.Dispose();
        GC.SuppressFinalize(this);
    }
}
