using System.Text;
using Microsoft.ML.Tokenizers;
using Router.Gateway.Usage;

namespace Gateway.Tests.Usage;

public sealed class TiktokenTokenCounterTests
{
    private static readonly Tokenizer Reference = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    [Fact]
    public void CountTokens_LongOrdinaryText_EqualsOneTokenizerCall()
    {
        var text = new StringBuilder();
        var words = new[] { "Hello,", "world!", "The", "price", "is", "$12.50", "(approx.)", "naïve", "café", "日本語", "🙂🙂", "don't", "x  y", "\n\n", "\ttab", "1234567" };
        for (var i = 0; i < 4000; i++)
        {
            text.Append(words[i * 7 % words.Length]).Append(' ');
        }

        var counter = new TiktokenTokenCounter();

        Assert.True(text.Length > 10 * TiktokenTokenCounter.MaxPieceChars);
        Assert.Equal(Reference.CountTokens(text.ToString()), counter.CountTokens(text.ToString()));
    }

    [Fact]
    public void CountTokens_MegabyteWithoutSpaces_CountedInPiecesAndClose()
    {
        // One 1 MB "word": one tokenizer call is quadratic in it (4 MB took over an hour; 1 MB would take minutes, which
        // the suite's time limit would show). Counted in pieces it is linear: about a second here. No timing is
        // asserted (shared CI cores); the count shows the pieces add up to what one call would give.
        var counter = new TiktokenTokenCounter();
        var sample = new string('a', 20_000);
        var exact = Reference.CountTokens(sample);

        var count = counter.CountTokens(new string('a', 1_000_000));

        Assert.InRange(count, exact * 50 * 0.98, exact * 50 * 1.05);
        Assert.InRange(counter.CountTokens(sample), exact * 0.98, exact * 1.05);
    }

    [Fact]
    public void CountTokens_SurrogatePairsAcrossPieces_NotSplit()
    {
        var counter = new TiktokenTokenCounter();
        var emoji = string.Concat(Enumerable.Repeat("🙂", 3000)); // 6000 UTF-16 chars, no spaces

        var count = counter.CountTokens("a" + emoji);

        Assert.InRange(count, Reference.CountTokens("a" + emoji[..1000]) * 6 * 0.95, Reference.CountTokens("a" + emoji[..1000]) * 6 * 1.1);
    }
}
