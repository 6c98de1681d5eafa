using Router.Training.Data;

namespace Router.Training.Tests.Data;

public sealed class PythonLiteralTests
{
    [Theory]
    [InlineData("['hello']", "hello")]
    [InlineData("['line\\none']", "line\none")]
    [InlineData("[\"it's\"]", "it's")]
    [InlineData("['it\\'s']", "it's")]
    [InlineData("['tab\\there', 'second']", "tab\there\n\nsecond")]
    [InlineData("['caf\\xe9']", "café")]
    [InlineData("plain text", "plain text")]
    [InlineData("[1, 2]", "[1, 2]")]
    [InlineData("['unterminated", "['unterminated")]
    public void UnwrapList_Inputs_DecodeLikePython(string input, string expected) =>
        Assert.Equal(expected, PythonLiteral.UnwrapList(input));
}
