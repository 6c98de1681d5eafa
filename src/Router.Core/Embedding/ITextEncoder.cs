namespace Router.Core.Embedding;

/// <summary>
/// Turns query text into a fixed-size, L2-normalised vector (DESIGN.md step 3). Implementations are thread-safe
/// and own their native resources.
/// </summary>
public interface ITextEncoder : IDisposable
{
    /// <summary>Identity of the model and its settings (weights hash, window, pooling); keys caches and checkpoints.</summary>
    string ModelId { get; }

    /// <summary>Length of one embedding.</summary>
    int Dimension { get; }

    /// <summary>
    /// Embeds <paramref name="texts"/> into consecutive rows of <paramref name="destination"/>
    /// (<c>texts.Count × Dimension</c> floats), each row L2-normalised.
    /// </summary>
    void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken);
}
