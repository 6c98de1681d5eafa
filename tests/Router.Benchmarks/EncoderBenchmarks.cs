using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Router.Core.Diagnostics;
using Router.Core.Embedding;

namespace Router.Benchmarks;

/// <summary>
/// One short query through the encoder, against the baseline the issue names: a plain single-threaded ONNX Runtime
/// call on the same model and tokens (DenseTensor inputs, NamedOnnxValue, no pooling).
/// </summary>
[MemoryDiagnoser]
public class EncoderBenchmarks : IDisposable
{
    private MiniLmEncoder _encoder = null!;
    private InferenceSession _plain = null!;
    private float[] _destination = null!;
    private NamedOnnxValue[] _plainInputs = null!;
    private string[] _query = null!;

    /// <summary>Index into <see cref="EngineBenchmark.ShortQueries"/>: 5 is 8 tokens, 3 is 14, 15 is 20.</summary>
    [Params(5, 3, 15)]
    public int Query { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = 1 });
        _destination = new float[_encoder.Dimension];
        _query = [EngineBenchmark.ShortQueries[Query]];
        var tokens = new long[_encoder.Options.MaxTokens];
        var n = _encoder.Tokenize(_query[0], tokens);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        _plain = new InferenceSession(Path.Combine(_encoder.Options.ResolvedModelDirectory, "model.onnx"), options);
        _plainInputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.AsMemory(0, n), [1, n])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, n).ToArray(), [1, n])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[n], [1, n])),
        ];
    }

    [Benchmark(Baseline = true)]
    public float PlainOnnxRun()
    {
        using var results = _plain.Run(_plainInputs);
        return results[0].AsTensor<float>()[0, 0, 0];
    }

    [Benchmark]
    public float Encode()
    {
        _encoder.Encode(_query, _destination, CancellationToken.None);
        return _destination[0];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _encoder?.Dispose();
        _plain?.Dispose();
        GC.SuppressFinalize(this);
    }
}
