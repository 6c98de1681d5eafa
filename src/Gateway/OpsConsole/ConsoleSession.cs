using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Router.Gateway.OpsConsole;

/// <summary>
/// The console's session cookie: <c>{expiresUnixSeconds}.{base64url(HMAC-SHA256(adminKey, "router-console|" + expires))}</c>.
/// Stateless, so every replica that shares the admin key accepts it (no sticky sessions), and changing the admin key
/// ends every session. HttpOnly (page scripts never see it) and SameSite=Strict (no cross-site request carries it);
/// on top, the admin API accepts it only with the <see cref="CsrfHeader"/> header, which a cross-site form or image
/// cannot send, so a forged request is refused even by a browser that ignores SameSite.
/// </summary>
public static class ConsoleSession
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "router_console";

    /// <summary>The header every console call sends (value <c>1</c>); cookie-authenticated calls without it are refused.</summary>
    public const string CsrfHeader = "X-Router-Console";

    /// <summary>How long a login lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>A new session token valid until <paramref name="expires"/>.</summary>
    public static string Issue(byte[] adminKey, DateTimeOffset expires)
    {
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return seconds + "." + Base64Url(Mac(adminKey, seconds));
    }

    /// <summary>Whether <paramref name="token"/> was issued with <paramref name="adminKey"/> and is unexpired at <paramref name="now"/>.</summary>
    public static bool IsValid(string? token, byte[] adminKey, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires < now.ToUnixTimeSeconds() || expires > (now + Lifetime).ToUnixTimeSeconds() + 60)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url(Mac(adminKey, token[..dot])));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token[(dot + 1)..]));
    }

    /// <summary>Whether the request carries a valid session cookie and the console header.</summary>
    public static bool Authenticates(HttpRequest request, byte[] adminKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers[CsrfHeader] == "1" && IsValid(request.Cookies[CookieName], adminKey, now);
    }

    /// <summary>Cookie settings: HttpOnly, SameSite=Strict, Secure on HTTPS, path <c>/</c> (the page calls <c>/admin/*</c>).</summary>
    public static CookieOptions CookieOptions(HttpRequest request, DateTimeOffset? expires)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        };
    }

    private static byte[] Mac(byte[] adminKey, string expires) =>
        HMACSHA256.HashData(adminKey, Encoding.ASCII.GetBytes("router-console|" + expires));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
