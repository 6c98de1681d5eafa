namespace Router.Core.Embedding;

/// <summary>Which end of a text the encoder keeps when it has more tokens than the window.</summary>
public enum TruncationSide
{
    /// <summary>
    /// Keep the last tokens. The default: few-shot prompts put the real question last (DESIGN.md step 2).
    /// </summary>
    Tail,

    /// <summary>Keep the first tokens (what sentence-transformers does).</summary>
    Head,
}
