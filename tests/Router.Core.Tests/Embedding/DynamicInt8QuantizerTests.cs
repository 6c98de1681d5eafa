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
        float[] w = [2f, -0.3f, 0f, -1.2f, 0.5f, 0f];

        var (values, scales) = DynamicInt8Quantizer.QuantizePerColumn(w, rows: 2, columns: 3);

        Assert.Equal([2f / 63, 0.5f / 63, 1f], scales);
        Assert.Equal(new sbyte[] { 63, -38, 0, -38, 63, 0 }, values.Select(v => unchecked((sbyte)v)));
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
    public void Quantize_WeightSharedByTwoProducts_QuantisedOnceAndTheModelLoadsAndComputes()
    {
        // Y1 = X·W and Y2 = X·W with one initializer W (tied weights): one int8 copy serves both products; adding one
        // per product gave two initializers of the same name, which ONNX Runtime refuses to load.
        float[] w = [1f, -2f, 0.5f, 4f, 0f, -1f]; // [2, 3] row-major
        var graph = new GraphProto { Name = "tied" };
        graph.Input.Add(FloatInput("X", 1, 2));
        graph.Output.Add(FloatInput("Y1", 1, 3));
        graph.Output.Add(FloatInput("Y2", 1, 3));
        var weight = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        weight.Dims.Add([2, 3]);
        weight.FloatData.Add(w);
        graph.Initializer.Add(weight);
        foreach (var output in new[] { "Y1", "Y2" })
        {
            var node = new NodeProto { Name = "mm_" + output, OpType = "MatMul" };
            node.Input.Add(["X", "W"]);
            node.Output.Add(output);
            graph.Node.Add(node);
        }

        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });

        var bytes = DynamicInt8Quantizer.Quantize(Google.Protobuf.MessageExtensions.ToByteArray(model), out var quantized);

        Assert.Equal(2, quantized);
        var rewritten = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(rewritten.Graph.Initializer.Count, rewritten.Graph.Initializer.Select(i => i.Name).Distinct().Count());
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes);
        using var x = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory([1f, 1f], [1, 2]);
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["X"], [x], ["Y1", "Y2"]);
        foreach (var output in outputs)
        {
            var y = output.GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(3, y.Length);
            Assert.Equal(5f, y[0], 0.1f);   // 1 + 4
            Assert.Equal(-2f, y[1], 0.1f);  // -2 + 0
            Assert.Equal(-0.5f, y[2], 0.1f); // 0.5 - 1
        }
    }

    [Fact]
    public void Quantize_WeightAlsoListedAsGraphInput_DroppedFromTheInputsWithItsFp32Copy()
    {
        // Older exports (IR < 4, torch.onnx keep_initializers_as_inputs) list every initializer as a graph input too.
        // Once the fp32 initializer is dropped, an input left behind without it is a required input the encoder
        // never feeds ("Missing Input: W" on every Encode).
        var graph = new GraphProto { Name = "listed" };
        graph.Input.Add(FloatInput("X", 1, 2));
        graph.Input.Add(FloatInput("W", 2, 3));
        graph.Output.Add(FloatInput("Y", 1, 3));
        var weight = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        weight.Dims.Add([2, 3]);
        weight.FloatData.Add([1f, -2f, 0.5f, 4f, 0f, -1f]);
        graph.Initializer.Add(weight);
        var node = new NodeProto { Name = "mm", OpType = "MatMul" };
        node.Input.Add(["X", "W"]);
        node.Output.Add("Y");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 3, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 9 });

        var bytes = DynamicInt8Quantizer.Quantize(Google.Protobuf.MessageExtensions.ToByteArray(model), out var quantized);

        Assert.Equal(1, quantized);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes);
        Assert.Equal(["X"], session.InputNames);
        using var x = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory([1f, 1f], [1, 2]);
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["X"], [x], ["Y"]);
        Assert.Equal(5f, outputs[0].GetTensorDataAsSpan<float>()[0], 0.1f);
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

    private static ValueInfoProto FloatInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    [Fact]
    public void Int8Encoder_TempFolderNotWritable_FailsWithAMessageNamingTheFolderAndTheWayOut()
    {
        var notAFolder = Path.Combine(Path.GetTempPath(), "router-int8-not-a-folder-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(notAFolder, "a file where the folder should be");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() =>
                new MiniLmEncoder(fixture.Encoder.Options with { Precision = EncoderPrecision.Int8, TempDirectory = notAFolder }));

            Assert.Contains(notAFolder, error.Message, StringComparison.Ordinal);
            Assert.Contains("TMPDIR", error.Message, StringComparison.Ordinal);
            Assert.Contains("Float32", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notAFolder);
        }
    }

    [Fact]
    public void Int8Encoder_Load_DeletesItsTemporaryModelAndStaleOnesLeftByKilledProcesses()
    {
        var folder = Directory.CreateTempSubdirectory("router-int8-tmp-").FullName;
        try
        {
            var stale = Path.Combine(folder, "router-minilm-int8-0123456789abcdef0123456789abcdef.onnx");
            var recent = Path.Combine(folder, "router-minilm-int8-fedcba9876543210fedcba9876543210.onnx");
            var unrelated = Path.Combine(folder, "something-else.onnx");
            foreach (var path in new[] { stale, recent, unrelated })
            {
                File.WriteAllText(path, "x");
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
            }

            File.SetLastWriteTimeUtc(recent, DateTime.UtcNow.AddMinutes(-5)); // another process may be loading it

            using var int8 = new MiniLmEncoder(fixture.Encoder.Options with { Precision = EncoderPrecision.Int8, TempDirectory = folder });

            Assert.Equal(EncoderPrecision.Int8, int8.Precision);
            Assert.Equal(
                new[] { recent, unrelated }.Order(StringComparer.Ordinal),
                Directory.GetFiles(folder).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Options_EmptyTempDirectory_RefusedWithItsName(string folder)
    {
        var error = Assert.Throws<ArgumentException>(() => new MiniLmEncoderOptions { Precision = EncoderPrecision.Int8, TempDirectory = folder }.Validate());

        Assert.Equal("TempDirectory", error.ParamName);
    }
}
