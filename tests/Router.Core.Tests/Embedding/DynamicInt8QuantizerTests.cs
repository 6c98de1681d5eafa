using Onnx;
using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

public sealed class DynamicInt8QuantizerTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly string[] Texts =
    [
        "How do I reset my password?",
        "What is the derivative of x squared times sin x with respect to x, using the product rule?",
        "Paris",
        "Write a Python function that returns the n-th Fibonacci number, memoised.",
        "The trophy doesn't fit into the brown suitcase because the _ is too large. Option 1: trophy. Option 2: suitcase.",
        "Which of these would let the most heat travel through? A) a new pair of jeans B) a steel spoon C) a cotton shirt",
    ];

    [Fact]
    public void QuantizePerColumn_HandComputed_SymmetricScalePerColumnAndRoundedValues()
    {
        // 2 rows × 3 columns, row-major: column maxima 2, 0.5 and 0 (an all-zero column gets scale 1).
        float[] w = [2f, -0.25f, 0f, -1f, 0.5f, 0f];

        var (values, scales) = DynamicInt8Quantizer.QuantizePerColumn(w, rows: 2, columns: 3);

        Assert.Equal([2f / 127, 0.5f / 127, 1f], scales);
        Assert.Equal(new sbyte[] { 127, -64, 0, -64, 127, 0 }, values.Select(v => unchecked((sbyte)v)));
    }

    [Fact]
    public void QuantizePerColumn_RandomWeights_DequantisedWithinHalfAStepOfEachWeight()
    {
        var random = new Random(7);
        const int rows = 48, columns = 20;
        var w = Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() - 0.5) * random.Next(1, 10))).ToArray();

        var (values, scales) = DynamicInt8Quantizer.QuantizePerColumn(w, rows, columns);

        for (var i = 0; i < w.Length; i++)
        {
            var scale = scales[i % columns];
            Assert.InRange(unchecked((sbyte)values[i]) * scale - w[i], (-scale / 2) - 1e-6f, (scale / 2) + 1e-6f);
        }
    }

    [Fact]
    public void Quantize_MiniLm_EveryConstantWeightProductRewrittenAndFp32CopiesDropped()
    {
        var path = Path.Combine(fixture.Encoder.Options.ResolvedModelDirectory, "model.onnx");
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var weights = original.Graph.Initializer.Select(i => i.Name).ToHashSet();
        var constantProducts = original.Graph.Node.Count(n => n.OpType == "MatMul" && weights.Contains(n.Input[1]));

        var bytes = DynamicInt8Quantizer.Quantize(File.ReadAllBytes(path), out var quantized);
        var model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(36, constantProducts); // 6 layers × (Q, K, V, attention output, FFN in, FFN out)
        Assert.Equal(constantProducts, quantized);
        Assert.Equal(quantized, model.Graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul" && n.Domain == "com.microsoft"));
        Assert.Equal(12, model.Graph.Node.Count(n => n.OpType == "MatMul")); // attention scores and context: no constant input
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft");
        Assert.True(bytes.Length < new FileInfo(path).Length * 0.7, $"{bytes.Length} bytes"); // 4-byte weights became 1-byte ones
    }

    [Fact]
    public void Quantize_NotAnOnnxModel_InvalidDataException() =>
        Assert.Throws<InvalidDataException>(() => DynamicInt8Quantizer.Quantize("not a model"u8.ToArray(), out _));

    [Fact]
    public void Int8Encoder_SameTexts_WithinAboutOnePercentOfFp32AndStillSeparatesMeanings()
    {
        using var int8 = new MiniLmEncoder(fixture.Encoder.Options with { Precision = EncoderPrecision.Int8 });
        var fp32 = new float[Texts.Length * 384];
        var q = new float[Texts.Length * 384];
        fixture.Encoder.Encode(Texts, fp32, CancellationToken.None);
        int8.Encode(Texts, q, CancellationToken.None);

        Assert.Equal(EncoderPrecision.Int8, int8.Precision);
        Assert.EndsWith("+int8" + fixture.Encoder.ModelId[fixture.Encoder.ModelId.IndexOf('/', StringComparison.Ordinal)..], int8.ModelId, StringComparison.Ordinal);
        Assert.NotEqual(fixture.Encoder.ModelId, int8.ModelId); // caches and checkpoints tell the two apart
        for (var i = 0; i < Texts.Length; i++)
        {
            var a = fp32.AsSpan(i * 384, 384);
            var b = q.AsSpan(i * 384, 384);
            Assert.InRange(System.Numerics.Tensors.TensorPrimitives.Norm(b), 0.999f, 1.001f);
            Assert.InRange(System.Numerics.Tensors.TensorPrimitives.Dot(a, b), 0.97f, 1.0001f); // measured 0.984-0.998 on 400 RouterBench prompts
        }

        // The int8 embedding of each text is still nearest to the fp32 embedding of the same text.
        for (var i = 0; i < Texts.Length; i++)
        {
            var nearest = Enumerable.Range(0, Texts.Length)
                .MaxBy(j => System.Numerics.Tensors.TensorPrimitives.Dot(q.AsSpan(i * 384, 384), fp32.AsSpan(j * 384, 384)));
            Assert.Equal(i, nearest);
        }
    }
}
