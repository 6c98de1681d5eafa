namespace Router.Core.Embedding;

// The tokenisation of MiniLmEncoder: the model input for one text ([CLS], the kept word pieces, [SEP]) with head,
// tail or head-and-tail truncation to MaxTokens, and the whitespace pre-cut that keeps long prompts cheap to tokenise.
// Loading, batching, the ONNX run and pooling: MiniLmEncoder.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public sealed partial class MiniLmEncoder
{
    // Upper bound on characters per word piece used to pre-cut very long texts before tokenising (a cheap speed-up
    // for 5-shot prompts of several thousand characters); the cut falls on whitespace, so the kept tokens are exactly
    // those the full text would give, and a cut that yields too few tokens falls back to the full text.
    private const int CharsPerTokenBound = 12;

    /// <summary>
    /// The model input for one text: [CLS], the kept word pieces, [SEP]. Writes into <paramref name="destination"/>
    /// (at least <see cref="MiniLmEncoderOptions.MaxTokens"/> long) and returns the count.
    /// </summary>
    internal int Tokenize(string text, Span<long> destination)
    {
        var budget = _options.MaxTokens - 2;
        var ids = TokenizeWindow(text, budget);
        var keep = Math.Min(budget, ids.Count);
        destination[0] = _clsId;
        if (_options.Truncation == TruncationSide.HeadAndTail && ids.Count > budget)
        {
            var head = budget / 4;
            for (var i = 0; i < head; i++)
            {
                destination[i + 1] = ids[i];
            }

            for (var i = head; i < budget; i++)
            {
                destination[i + 1] = ids[ids.Count - budget + i];
            }
        }
        else
        {
            var first = _options.Truncation == TruncationSide.Tail ? ids.Count - keep : 0;
            for (var i = 0; i < keep; i++)
            {
                destination[i + 1] = ids[first + i];
            }
        }

        destination[keep + 1] = _sepId;
        return keep + 2;
    }

    private IReadOnlyList<int> TokenizeWindow(string text, int budget)
    {
        var bound = budget * CharsPerTokenBound;
        if (text.Length > bound && _options.Truncation != TruncationSide.HeadAndTail)
        {
            ReadOnlySpan<char> slice;
            if (_options.Truncation == TruncationSide.Tail)
            {
                var cut = text.Length - bound;
                while (cut < text.Length && !char.IsWhiteSpace(text[cut - 1]))
                {
                    cut++;
                }

                slice = text.AsSpan(cut);
            }
            else
            {
                var cut = bound;
                while (cut > 0 && !char.IsWhiteSpace(text[cut]))
                {
                    cut--;
                }

                slice = text.AsSpan(0, cut);
            }

            var partial = _tokenizer.EncodeToIds(slice, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
            if (partial.Count >= budget)
            {
                return partial;
            }
        }

        return _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
    }
}
