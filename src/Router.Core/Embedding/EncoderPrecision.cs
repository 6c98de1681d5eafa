namespace Router.Core.Embedding;

/// <summary>Number format of the encoder's weight matrix products.</summary>
public enum EncoderPrecision
{
    /// <summary>The published fp32 weights, unchanged (the default; what the shipped results were measured with).</summary>
    Float32,

    /// <summary>
    /// Dynamic int8 quantisation, made from the fp32 weights when the encoder loads (<see cref="DynamicInt8Quantizer"/>):
    /// about 2.4× faster on CPUs with int8 dot-product instructions (AVX-512 VNNI here), embeddings within about 1%
    /// (cosine) of fp32. CPU only: with CUDA the fp32 model runs.
    /// </summary>
    Int8,
}
