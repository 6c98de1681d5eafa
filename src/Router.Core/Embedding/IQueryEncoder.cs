namespace Router.Core.Embedding;

/// <summary>
/// Embeds one routing query at a time, asynchronously, so that an implementation may batch concurrent queries into
/// one model run (<see cref="MicroBatchingQueryEncoder"/>) or answer repeated ones from memory
/// (<see cref="QueryEmbeddingCache"/>). The gateway's hot path; thread-safe.
/// </summary>
public interface IQueryEncoder
{
    /// <summary>Identity of the underlying model (<see cref="ITextEncoder.ModelId"/>).</summary>
    string ModelId { get; }

    /// <summary>Length of one embedding.</summary>
    int Dimension { get; }

    /// <summary>Writes the L2-normalised embedding of <paramref name="text"/> into <paramref name="destination"/> (<see cref="Dimension"/> floats).</summary>
    ValueTask EncodeAsync(string text, Memory<float> destination, CancellationToken cancellationToken);
}
