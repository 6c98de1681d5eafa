using System.Text;
using Router.Gateway.Forwarding;

namespace Gateway.Tests.Forwarding;

public sealed class UpstreamErrorsTests
{
    [Theory]
    [InlineData(400, 400, "invalid_request_error")]
    [InlineData(404, 404, "invalid_request_error")]
    [InlineData(401, 502, "upstream_error")]
    [InlineData(403, 502, "upstream_error")]
    [InlineData(429, 429, "rate_limit_error")]
    [InlineData(500, 502, "upstream_error")]
    [InlineData(503, 502, "upstream_error")]
    [InlineData(504, 504, "upstream_error")]
    public void Map_UpstreamStatus_ClientStatusAndType(int upstream, int client, string type)
    {
        var error = UpstreamErrors.Map("arm", upstream, """{"error":{"message":"boom"}}"""u8, null);

        Assert.Equal(client, error.Status);
        Assert.Equal(type, error.Type);
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_MessageEchoingSecrets_RedactsThem()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":{"message":"Incorrect API key provided: my-azure-key-123. Also sk-proj-abcdefghijkl and Bearer eyJhbGciOiJIUzI1NiJ9.x"}}""");

        var error = UpstreamErrors.Map("arm", 401, body, "my-azure-key-123");

        Assert.DoesNotContain("my-azure-key-123", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-proj-abcdefghijkl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJhbGciOiJIUzI1NiJ9", error.Message, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_PlainTextBody_UsesTheText()
    {
        var error = UpstreamErrors.Map("arm", 502, "Bad gateway from nginx"u8, null);

        Assert.Contains("Bad gateway from nginx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_MessageWithInvalidUtf8_KeepsTheRestAndReplacesTheBadBytes()
    {
        // An upstream (Latin-1 text from a proxy, a cut multi-byte character) can put bytes that are not UTF-8 inside the
        // JSON string; the reader accepts them, but turning them into a .NET string must not throw (a 500 instead of the
        // mapped error, and no fallback).
        byte[] body = [.. """{"error":{"message":"caf"""u8, 0xE9, .. """ overloaded","type":"server_error","code":"overloaded"}}"""u8];

        var error = UpstreamErrors.Map("arm", 503, body, null);

        Assert.Equal(502, error.Status);
        Assert.Contains("caf\uFFFD overloaded", error.Message, StringComparison.Ordinal);
        Assert.Equal("overloaded", error.Code);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    public void IsRetryable_Status_OnlyOverloadAndServerErrors(int status, bool expected) =>
        Assert.Equal(expected, UpstreamErrors.IsRetryable(status));

    [Fact]
    public void Map_ErrorBodyWithByteOrderMark_ReadsItsMessage()
    {
        var error = UpstreamErrors.Map("arm", 503, [.. "\uFEFF"u8, .. """{"error":{"message":"boom","code":"overloaded"}}"""u8], null);

        Assert.Equal("Upstream of arm 'arm' answered 503: boom", error.Message);
        Assert.Equal("overloaded", error.Code);
    }
}
