using Router.Core.Embedding;

namespace Router.Core.Tests.Embedding;

/// <summary>One encoder per test class (loading the 90 MB model takes a moment).</summary>
public sealed class EncoderFixture : IDisposable
{
    public MiniLmEncoder Encoder { get; } = new(new MiniLmEncoderOptions { MaxTokens = 64, Truncation = TruncationSide.Tail });

    public void Dispose() => Encoder.Dispose();
}
