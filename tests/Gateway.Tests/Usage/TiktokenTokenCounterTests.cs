using System.Diagnostics;
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
    public void CountTokens_FourMegabytesWithoutSpaces_IsFastAndClose()
    {
        // One 4 MB "word" (just under the default body limit): one tokenizer call is quadratic in it (over an hour).
        var counter = new TiktokenTokenCounter();
        var sample = new string('a', 20_000);
        var exact = Reference.CountTokens(sample);

        var huge = new string('a', 4_000_000);
        var watch = Stopwatch.StartNew();
        var count = counter.CountTokens(huge);
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.InRange(count, exact * 200 * 0.98, exact * 200 * 1.05);
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
