using Router.Core.State;

namespace Router.Core.Tests.State;

public sealed class LogIdTests
{
    [Theory]
    [InlineData("1700000000000-0", 1700000000000UL, 0UL)]
    [InlineData("5-17", 5UL, 17UL)]
    [InlineData("42", 42UL, 0UL)]
    public void Parse_RedisStreamId_ReadsBothParts(string text, ulong ms, ulong seq)
    {
        var id = LogId.Parse(text);

        Assert.Equal(new LogId(ms, seq), id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("a-1")]
    [InlineData("1-")]
    [InlineData("1-2-3")]
    public void TryParse_Garbage_ReturnsFalse(string text) => Assert.False(LogId.TryParse(text, out _));

    [Fact]
    public void CompareTo_NumericNotLexicographic_OrdersByMillisecondsThenSequence()
    {
        // "10-0" sorts before "9-0" as text; as ids it must come after.
        Assert.True(LogId.Parse("10-0") > LogId.Parse("9-0"));
        Assert.True(LogId.Parse("9-10") > LogId.Parse("9-9"));
        Assert.True(LogId.Zero < LogId.Parse("0-1"));
        Assert.Equal(LogId.Parse("7-3"), LogId.Parse("7-2").Next);
        Assert.Equal("123-4", new LogId(123, 4).ToString());
    }
}
