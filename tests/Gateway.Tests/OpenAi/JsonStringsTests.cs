using System.Text;
using Router.Gateway.OpenAi;

namespace Gateway.Tests.OpenAi;

/// <summary>The up-front Unicode check that keeps bad strings from becoming 500s later.</summary>
public sealed class JsonStringsTests
{
    [Theory]
    [InlineData("""{"a":"plain","b":["x","y"],"c":{"d":"é ü 😀"}}""")]
    [InlineData("""{"a":"\u00e9\ud83d\ude00 escaped pair"}""")]
    [InlineData("""{"a":""")] // syntax errors are the parser's business
    public void FindInvalid_ValidOrSyntaxError_ReturnsNull(string json) =>
        Assert.Null(JsonStrings.FindInvalid(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void FindInvalid_BadBytesOrLoneSurrogates_ReturnsMessage()
    {
        Assert.NotNull(JsonStrings.FindInvalid([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
        Assert.NotNull(JsonStrings.FindInvalid([.. "{\""u8, 0xFF, .. "\":1}"u8]));
        Assert.NotNull(JsonStrings.FindInvalid(Encoding.UTF8.GetBytes("""{"a":"\ud800"}""")));
        Assert.NotNull(JsonStrings.FindInvalid(Encoding.UTF8.GetBytes("""{"a":"x\udc00y"}""")));
    }
}
