using System.Net;
using System.Text;
using Router.Gateway.Forwarding;

namespace Gateway.Tests.Forwarding;

public sealed class JsonSuccessBodyTests
{
    [Theory]
    [InlineData("""{"error":{"message":"boom","type":"server_error"}}""", "boom")]
    [InlineData("""  {"error":"quota gone"}""", "quota gone")]
    [InlineData("""{"object":"error","message":"overloaded","type":"BadRequestError","code":400}""", "overloaded")]
    [InlineData("""{"id":"x","object":"chat.completion","error":{"message":"late member"}}""", "late member")]
    public void Problem_ErrorObjectAtTopLevel_NamesItsMessage(string body, string message)
    {
        var problem = JsonSuccessBody.Problem(Encoding.UTF8.GetBytes(body), complete: true, secret: null);

        Assert.NotNull(problem);
        Assert.StartsWith("answered 200 with an error in the body: ", problem, StringComparison.Ordinal);
        Assert.EndsWith(message, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[{"message":{"content":"{\"error\":1}"}}],"usage":{"prompt_tokens":1}}""")]
    [InlineData("""{"id":"x","error":null,"choices":[]}""")] // some servers send a null error member on success
    [InlineData("""{"object":"list","data":[{"object":"embedding","embedding":[0.1]}]}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"choices":[{"message":{"content":"an error inside the answer: {\"object\":\"error\"}"}}]}""")]
    public void Problem_Success_IsNull(string body) =>
        Assert.Null(JsonSuccessBody.Problem(Encoding.UTF8.GetBytes(body), complete: true, secret: null));

    [Fact]
    public void Problem_PrefixEndingInsideTheAnswer_IsNullAndAnErrorBeforeTheCutIsFound()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"content":"long answer""");
        Assert.Null(JsonSuccessBody.Problem(body, complete: false, secret: null));

        var error = Encoding.UTF8.GetBytes("""{"error":{"message":"cut here""");
        Assert.NotNull(JsonSuccessBody.Problem(error, complete: false, secret: null));
    }

    [Theory]
    [InlineData("<html>bad gateway</html>", "not JSON")]
    [InlineData("{\"id\":", "not JSON")]
    [InlineData("", "empty body")]
    [InlineData("   ", "empty body")]
    public void Problem_WholeBodyNotJson_Refused(string body, string expected)
    {
        var problem = JsonSuccessBody.Problem(Encoding.UTF8.GetBytes(body), complete: true, secret: null);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_CredentialEchoed_Redacted()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":{"message":"key my-upstream-secret-value is over quota"}}""");

        var problem = JsonSuccessBody.Problem(body, complete: true, secret: "my-upstream-secret-value");

        Assert.NotNull(problem);
        Assert.DoesNotContain("my-upstream-secret-value", problem, StringComparison.Ordinal);
        Assert.Contains("key *** is over quota", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(JsonSuccessBody.PeekBytes)]
    [InlineData(JsonSuccessBody.PeekBytes + 1)]
    [InlineData(100_000)]
    public async Task PeekAsync_ThenReadingTheContent_YieldsTheWholeBodyWithItsHeaders(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        response.Content.Headers.ContentLength = length;

        var (prefix, complete) = await JsonSuccessBody.PeekAsync(response, CancellationToken.None);

        Assert.Equal(Math.Min(length, JsonSuccessBody.PeekBytes), prefix.Length);
        Assert.Equal(length < JsonSuccessBody.PeekBytes, complete);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        using var copy = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }
}
