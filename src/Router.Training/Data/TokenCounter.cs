using Microsoft.ML.Tokenizers;

namespace Router.Training.Data;

/// <summary>
/// Counts tokens with OpenAI's cl100k_base encoding (the GPT-4 / GPT-3.5 tokenizer; data from the
/// Microsoft.ML.Tokenizers.Data.Cl100kBase package). Other vendors' tokenizers differ by a few percent, which is
/// within the noise of a cost estimate. Thread-safe.
/// </summary>
public static class TokenCounter
{
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));

    /// <summary>Number of cl100k tokens in <paramref name="text"/>.</summary>
    public static int Count(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : Tokenizer.Value.CountTokens(text);
}
