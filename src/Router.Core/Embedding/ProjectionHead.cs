using System.Numerics.Tensors;

namespace Router.Core.Embedding;

/// <summary>
/// The tag-enhanced projection head (DESIGN.md step 4, MixLLM step 1): <c>e = normalise(W·x)</c>, a linear map of the
/// frozen encoder's output to a smaller space (e.g. 384 → 64) where queries with the same tags sit together.
/// Immutable and thread-safe. Trained by <see cref="Tagging.TagHeadTrainer"/>.
/// </summary>
public sealed class ProjectionHead
{
    private readonly float[] _weights;

    /// <summary>A head with the given weights (row-major <c>outputDimension × inputDimension</c>; copied).</summary>
    public ProjectionHead(int inputDimension, int outputDimension, ReadOnlySpan<float> weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDimension, 1);
        if (weights.Length != inputDimension * outputDimension)
        {
            throw new ArgumentException($"Expected {outputDimension} × {inputDimension} weights.", nameof(weights));
        }

        InputDimension = inputDimension;
        OutputDimension = outputDimension;
        _weights = weights.ToArray();
    }

    /// <summary>
    /// An untrained head: a seeded Gaussian random projection (Johnson–Lindenstrauss), which roughly keeps cosine
    /// similarities while shrinking the dimension. The default when no checkpoint exists yet.
    /// </summary>
    public static ProjectionHead Random(int inputDimension, int outputDimension, int seed)
    {
        var random = new System.Random(seed);
        var weights = new float[inputDimension * outputDimension];
        for (var i = 0; i < weights.Length; i++)
        {
            // Box–Muller, scaled by 1/sqrt(d).
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            weights[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2) / Math.Sqrt(inputDimension));
        }

        return new ProjectionHead(inputDimension, outputDimension, weights);
    }

    /// <summary>Length of the encoder output it takes.</summary>
    public int InputDimension { get; }

    /// <summary>Length of the vectors it returns.</summary>
    public int OutputDimension { get; }

    /// <summary>W, row-major <c>OutputDimension × InputDimension</c>.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Writes <c>normalise(W·x)</c> into <paramref name="destination"/> (<see cref="OutputDimension"/> floats).</summary>
    public void Project(ReadOnlySpan<float> input, Span<float> destination)
    {
        if (input.Length != InputDimension || destination.Length < OutputDimension)
        {
            throw new ArgumentException($"Expected {InputDimension} inputs and room for {OutputDimension} outputs.");
        }

        var output = destination[..OutputDimension];
        for (var i = 0; i < OutputDimension; i++)
        {
            output[i] = TensorPrimitives.Dot(_weights.AsSpan(i * InputDimension, InputDimension), input);
        }

        var norm = TensorPrimitives.Norm(output);
        TensorPrimitives.Multiply(output, norm > 0 ? 1f / norm : 0f, output);
    }

    /// <summary>Projects <c>rows</c> consecutive vectors.</summary>
    public float[] ProjectAll(ReadOnlySpan<float> inputs)
    {
        var rows = inputs.Length / InputDimension;
        var result = new float[rows * OutputDimension];
        for (var r = 0; r < rows; r++)
        {
            Project(inputs.Slice(r * InputDimension, InputDimension), result.AsSpan(r * OutputDimension, OutputDimension));
        }

        return result;
    }
}
