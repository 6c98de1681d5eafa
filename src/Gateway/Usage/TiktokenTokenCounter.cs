using Microsoft.ML.Tokenizers;

namespace Router.Gateway.Usage;

/// <summary>
/// <see cref="ITokenCounter"/> on the <c>cl100k_base</c> BPE (the GPT-3.5/GPT-4 encoding; data from the NuGet package
/// Microsoft.ML.Tokenizers.Data.Cl100kBase, so nothing is downloaded). Other model families tokenise differently, so
/// counts for them are estimates, which is what the gateway marks them as. Loaded on first use (about 100 ms).
/// Thread-safe.
/// </summary>
/// <remarks>
/// BPE merges within one pre-token cost time quadratic in its length: a 40 000-letter "word" takes ~0.4 s and a
/// request of 4 MB of one letter (under the body limit) took over an hour of CPU that client cancellation cannot stop.
/// Text is therefore counted in pieces of at most <see cref="MaxPieceChars"/> chars, cut before a space that follows
/// a non-space where the piece has one: cl100k's pre-tokenizer always splits there (a word token carries its leading
/// space), so ordinary text counts exactly as one call would; only runs longer than a piece without such a space are
/// cut mid-run, which can add a token per cut (an estimate either way) and keeps the cost linear.
/// </remarks>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    /// <summary>The longest piece handed to the tokenizer in one call.</summary>
    internal const int MaxPieceChars = 512;

    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var tokenizer = _tokenizer.Value;
        if (text.Length <= MaxPieceChars)
        {
            return tokenizer.CountTokens(text);
        }

        var total = 0;
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(start + MaxPieceChars, text.Length);
            if (end < text.Length)
            {
                end = CutPoint(text, start, end);
            }

            total += tokenizer.CountTokens(text.AsSpan(start, end - start));
            start = end;
        }

        return total;
    }

    // The last index in (start, end] that is a space preceded by a non-space; else end, moved off a surrogate pair.
    private static int CutPoint(string text, int start, int end)
    {
        for (var i = end; i > start + 1; i--)
        {
            if (text[i] == ' ' && !char.IsWhiteSpace(text[i - 1]))
            {
                return i;
            }
        }

        return char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]) ? end - 1 : end;
    }
}
