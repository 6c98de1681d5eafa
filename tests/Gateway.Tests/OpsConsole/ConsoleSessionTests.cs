using System.Text;
using Microsoft.AspNetCore.Http;
using Router.Gateway.OpsConsole;

namespace Gateway.Tests.OpsConsole;

/// <summary>
/// The console's stateless session cookie: an HMAC-SHA256 of its expiry under the admin key. A tampered, expired,
/// foreign or malformed token is refused; a valid one only counts together with the CSRF header.
/// </summary>
public sealed class ConsoleSessionTests
{
    private static readonly byte[] AdminKey = Encoding.UTF8.GetBytes("console-session-test-key");
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issued_IsValidUntilItsExpiry_ThenRefused()
    {
        var expires = Now + ConsoleSession.Lifetime;
        var token = ConsoleSession.Issue(AdminKey, expires);
        Assert.True(ConsoleSession.IsValid(token, AdminKey, Now));
        Assert.True(ConsoleSession.IsValid(token, AdminKey, expires - TimeSpan.FromSeconds(1)));
        Assert.False(ConsoleSession.IsValid(token, AdminKey, expires + TimeSpan.FromSeconds(1)));
        Assert.False(ConsoleSession.IsValid(token, AdminKey, expires + TimeSpan.FromDays(30)));
    }

    [Fact]
    public void TamperedMac_Refused()
    {
        var token = ConsoleSession.Issue(AdminKey, Now + ConsoleSession.Lifetime);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        for (var i = dot + 1; i < token.Length; i++)
        {
            var flipped = token[i] == 'A' ? 'B' : 'A';
            var tampered = string.Concat(token.AsSpan(0, i), flipped.ToString(), token.AsSpan(i + 1));
            Assert.False(ConsoleSession.IsValid(tampered, AdminKey, Now), $"MAC changed at {i}");
        }

        Assert.False(ConsoleSession.IsValid(token[..^1], AdminKey, Now));         // truncated MAC
        Assert.False(ConsoleSession.IsValid(token + "A", AdminKey, Now));         // extended MAC
    }

    [Fact]
    public void TamperedExpiry_Refused()
    {
        // Pushing the expiry out (to stretch a session) breaks the MAC, which covers the expiry.
        var expires = Now + TimeSpan.FromMinutes(5);
        var token = ConsoleSession.Issue(AdminKey, expires);
        var mac = token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var later = (expires + TimeSpan.FromHours(1)).ToUnixTimeSeconds();
        Assert.False(ConsoleSession.IsValid($"{later}.{mac}", AdminKey, Now));
        Assert.False(ConsoleSession.IsValid($"{later}.{mac}", AdminKey, expires + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void OtherAdminKey_Refused()
    {
        // Changing the admin key ends every session: tokens of the old key no longer verify.
        var token = ConsoleSession.Issue(AdminKey, Now + ConsoleSession.Lifetime);
        Assert.False(ConsoleSession.IsValid(token, Encoding.UTF8.GetBytes("another-admin-key"), Now));
    }

    [Fact]
    public void ExpiryBeyondTheLifetime_Refused()
    {
        // A token can only have been issued with at most Lifetime to run (plus a minute of clock skew).
        var token = ConsoleSession.Issue(AdminKey, Now + ConsoleSession.Lifetime + TimeSpan.FromHours(1));
        Assert.False(ConsoleSession.IsValid(token, AdminKey, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc")]
    [InlineData("1796644800")]
    [InlineData("1796644800.")]
    [InlineData(".c2lnbmF0dXJl")]
    [InlineData("-1796644800.c2lnbmF0dXJl")]
    [InlineData("17966 44800.c2lnbmF0dXJl")]
    public void Malformed_Refused(string? token) => Assert.False(ConsoleSession.IsValid(token, AdminKey, Now));

    [Fact]
    public void OverlongToken_Refused() =>
        Assert.False(ConsoleSession.IsValid(ConsoleSession.Issue(AdminKey, Now + TimeSpan.FromHours(1)) + new string('A', 300), AdminKey, Now));

    [Fact]
    public void Authenticates_NeedsTheCookieAndTheConsoleHeader()
    {
        var token = ConsoleSession.Issue(AdminKey, Now + ConsoleSession.Lifetime);
        Assert.True(ConsoleSession.Authenticates(Request(token, "1"), AdminKey, Now));
        Assert.False(ConsoleSession.Authenticates(Request(token, null), AdminKey, Now));   // a cross-site form sends no header
        Assert.False(ConsoleSession.Authenticates(Request(token, "0"), AdminKey, Now));
        Assert.False(ConsoleSession.Authenticates(Request(null, "1"), AdminKey, Now));
        Assert.False(ConsoleSession.Authenticates(Request(token, "1"), AdminKey, Now + ConsoleSession.Lifetime + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void CookieOptions_HttpOnlyStrictEverywhere_SecureOnHttps()
    {
        var plain = ConsoleSession.CookieOptions(Request(null, null), Now);
        Assert.True(plain.HttpOnly);
        Assert.Equal(SameSiteMode.Strict, plain.SameSite);
        Assert.Equal("/", plain.Path);
        Assert.False(plain.Secure);
        Assert.Equal(Now, plain.Expires);
        var https = Request(null, null);
        https.Scheme = "https";
        Assert.True(ConsoleSession.CookieOptions(https, null).Secure);
    }

    private static HttpRequest Request(string? cookie, string? header)
    {
        var context = new DefaultHttpContext();
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{ConsoleSession.CookieName}={cookie}";
        }

        if (header is not null)
        {
            context.Request.Headers[ConsoleSession.CsrfHeader] = header;
        }

        return context.Request;
    }
}
