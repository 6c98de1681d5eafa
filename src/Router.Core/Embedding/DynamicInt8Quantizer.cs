using Google.Protobuf;
using Onnx;

namespace Router.Core.Embedding;

/// <summary>
/// Rewrites a float ONNX transformer for dynamic int8 quantisation, as ONNX Runtime's Python <c>quantize_dynamic</c>
/// does (its tooling is Python-only; this is the same graph change in C# on the ONNX protobuf): every <c>MatMul</c>
/// whose second input is a constant 2-D float weight becomes <c>com.microsoft.DynamicQuantizeMatMul</c>, which
/// quantises the activation to uint8 on each run and multiplies with int8 weights quantised once here. Weights are
/// quantised per output column, symmetric (zero point 0, scale = max |w| / 63: 7-bit, see <see cref="MaxWeightLevel"/>), which keeps the error per column
/// at most half a step. Attention score products (no constant input), embeddings, layer norms and GELU stay fp32.
/// DESIGN.md step 3 names int8 as the road from ~8 ms to ~1–2 ms on CPUs with AVX-512 VNNI.
/// </summary>
public static class DynamicInt8Quantizer
{
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>Returns the quantised model; <paramref name="quantized"/> is the number of weight products rewritten.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static byte[] Quantize(byte[] model, out int quantized)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException("not an ONNX model: " + ex.Message, ex);
        }

        var graph = proto.Graph ?? throw new InvalidDataException("the ONNX model has no graph");
        var weights = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name))
            .GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // A weight shared by several products (tied weights) is quantised once: its three initializers serve them all.
        var done = new Dictionary<string, (TensorProto Q, TensorProto Scale, TensorProto Zero)>(StringComparer.Ordinal);
        var rewritten = new Dictionary<string, int>(StringComparer.Ordinal);
        quantized = 0;
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "MatMul" || !string.IsNullOrEmpty(node.Domain) || node.Input.Count != 2
                || !weights.TryGetValue(node.Input[1], out var weight) || !IsFloatMatrix(weight))
            {
                continue;
            }

            if (!done.TryGetValue(weight.Name, out var tensors))
            {
                var (values, scales) = QuantizePerColumn(weight);
                var columns = (int)weight.Dims[1];
                tensors = (
                    Tensor(weight.Name + "_int8", TensorProto.Types.DataType.Int8, [weight.Dims[0], columns], ByteString.CopyFrom(values)),
                    Tensor(weight.Name + "_scale", TensorProto.Types.DataType.Float, [columns], Floats(scales)),
                    Tensor(weight.Name + "_zero_point", TensorProto.Types.DataType.Int8, [columns], ByteString.CopyFrom(new byte[columns])));
                graph.Initializer.Add(tensors.Q);
                graph.Initializer.Add(tensors.Scale);
                graph.Initializer.Add(tensors.Zero);
                done[weight.Name] = tensors;
            }

            var (q, scale, zero) = tensors;
            rewritten[weight.Name] = rewritten.GetValueOrDefault(weight.Name) + 1;
            if (uses.GetValueOrDefault(weight.Name) == rewritten[weight.Name])
            {
                graph.Initializer.Remove(weight); // every use of it is now a quantised product: drop the fp32 copy

                // Older exports (IR < 4) also list initializers as graph inputs: left there, it would become a required input.
                if (graph.Input.FirstOrDefault(input => input.Name == weight.Name) is { } listed)
                {
                    graph.Input.Remove(listed);
                }
            }

            var replacement = new NodeProto { Name = node.Name + "_int8", OpType = "DynamicQuantizeMatMul", Domain = MicrosoftDomain };
            replacement.Input.Add(node.Input[0]);
            replacement.Input.Add(q.Name);
            replacement.Input.Add(scale.Name);
            replacement.Input.Add(zero.Name);
            replacement.Output.Add(node.Output);
            graph.Node[i] = replacement;
            quantized++;
        }

        if (quantized > 0 && !proto.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return proto.ToByteArray();
    }

    /// <summary>
    /// The largest weight level: 7-bit weights (ONNX Runtime's <c>reduce_range</c>). On CPUs without VNNI (AVX2 only)
    /// ONNX Runtime's u8×s8 kernels add pairs of products in 16 bits (<c>vpmaddubsw</c>), which saturates with full
    /// 8-bit weights: 255·127 + 255·127 = 64,770 &gt; 32,767. With |q| ≤ 63 a pair is at most 2·255·63 = 32,130, so
    /// every CPU computes the same products; the cost is one bit of weight precision.
    /// </summary>
    internal const int MaxWeightLevel = 63;

    /// <summary>
    /// Symmetric per-column 7-bit weights in int8 storage (row-major [rows, columns] as in the ONNX initializer):
    /// column c gets scale_c = max_r |w_rc| / <see cref="MaxWeightLevel"/> and q_rc = round(w_rc / scale_c) in
    /// [-<see cref="MaxWeightLevel"/>, <see cref="MaxWeightLevel"/>].
    /// </summary>
    internal static (byte[] Values, float[] Scales) QuantizePerColumn(ReadOnlySpan<float> weights, int rows, int columns)
    {
        var scales = new float[columns];
        for (var r = 0; r < rows; r++)
        {
            var row = weights.Slice(r * columns, columns);
            for (var c = 0; c < columns; c++)
            {
                scales[c] = Math.Max(scales[c], Math.Abs(row[c]));
            }
        }

        for (var c = 0; c < columns; c++)
        {
            scales[c] = scales[c] == 0 ? 1f : scales[c] / MaxWeightLevel;
        }

        var values = new byte[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var q = (int)MathF.Round(weights[(r * columns) + c] / scales[c], MidpointRounding.ToEven);
                values[(r * columns) + c] = unchecked((byte)(sbyte)Math.Clamp(q, -MaxWeightLevel, MaxWeightLevel));
            }
        }

        return (values, scales);
    }

    private static (byte[] Values, float[] Scales) QuantizePerColumn(TensorProto weight)
    {
        var rows = (int)weight.Dims[0];
        var columns = (int)weight.Dims[1];
        var floats = new float[rows * columns];
        if (!weight.RawData.IsEmpty)
        {
            // ONNX raw_data is little-endian, as is every platform .NET runs the encoder on.
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).CopyTo(floats);
        }
        else
        {
            weight.FloatData.CopyTo(floats, 0);
        }

        return QuantizePerColumn(floats, rows, columns);
    }

    private static bool IsFloatMatrix(TensorProto tensor) =>
        tensor.DataType == (int)TensorProto.Types.DataType.Float && tensor.Dims.Count == 2
        && tensor.DataLocation != TensorProto.Types.DataLocation.External
        && (tensor.RawData.Length == tensor.Dims[0] * tensor.Dims[1] * sizeof(float) || tensor.FloatData.Count == tensor.Dims[0] * tensor.Dims[1]);

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, long[] dims, ByteString raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = raw };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static ByteString Floats(float[] values) =>
        ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
}
