using Microsoft.ML.Tokenizers;

namespace Router.Gateway.Usage;

/// <summary>
/// <see cref="ITokenCounter"/> on the <c>cl100k_base</c> BPE (the GPT-3.5/GPT-4 encoding; data from the NuGet package
/// Microsoft.ML.Tokenizers.Data.Cl100kBase, so nothing is downloaded). Other model families tokenise differently, so
/// counts for them are estimates, which is what the gateway marks them as. Loaded on first use (about 100 ms).
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    /// <inheritdoc />
    public int CountTokens(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.Value.CountTokens(text);
}
