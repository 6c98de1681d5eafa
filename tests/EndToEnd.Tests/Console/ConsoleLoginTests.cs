using System.Net;
using System.Net.Http.Json;
using EndToEnd.Tests.Replicas;
using Router.Gateway.OpsConsole;

namespace EndToEnd.Tests.Console;

/// <summary>
/// Console login over HTTP on a real replica: the cookie's attributes, the CSRF header, a tampered cookie, logout
/// clearing the cookie.
/// </summary>
public sealed class ConsoleLoginTests
{
    [Fact]
    public async Task Login_SetsHttpOnlyStrictCookie_AdminApiNeedsItWithTheHeader_LogoutClearsIt()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        var jar = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar }) { BaseAddress = gateway.Address };

        using (var login = await SendAsync(browser, HttpMethod.Post, "/ui/login", new { key = ReplicaHost.AdminKey }))
        {
            Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
            var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith(ConsoleSession.CookieName + "=", setCookie, StringComparison.Ordinal);
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        }

        using (var withHeader = await SendAsync(browser, HttpMethod.Get, "/admin/arms"))
        {
            Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
        }

        // The cookie alone (what a cross-site form or image would send) is no credential.
        using (var noHeader = await browser.GetAsync("/admin/arms"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noHeader.StatusCode);
        }

        // A cookie whose MAC was altered is refused.
        var cookie = jar.GetCookies(gateway.Address)[ConsoleSession.CookieName]!;
        var tamperedJar = new CookieContainer();
        tamperedJar.Add(gateway.Address, new Cookie(ConsoleSession.CookieName, cookie.Value[..^2] + (cookie.Value[^2] == 'A' ? "BB" : "AA")));
        using (var tamperedClient = new HttpClient(new HttpClientHandler { CookieContainer = tamperedJar }) { BaseAddress = gateway.Address })
        using (var tampered = await SendAsync(tamperedClient, HttpMethod.Get, "/admin/arms"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        }

        using (var logout = await SendAsync(browser, HttpMethod.Post, "/ui/logout"))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            var cleared = Assert.Single(logout.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith(ConsoleSession.CookieName + "=;", cleared, StringComparison.Ordinal);
            Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(jar.GetCookies(gateway.Address), c => c.Name == ConsoleSession.CookieName && !c.Expired);
        using (var afterLogout = await SendAsync(browser, HttpMethod.Get, "/admin/arms"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        }

        using var session = await SendAsync(browser, HttpMethod.Get, "/ui/session");
        Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
    }

    [Fact]
    public async Task Login_WrongKeyOrNoHeader_RefusedWithoutCookie()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        using var wrong = await SendAsync(gateway.Http, HttpMethod.Post, "/ui/login", new { key = "not-the-admin-key" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        using var noHeader = await gateway.Http.PostAsJsonAsync("/ui/login", new { key = ReplicaHost.AdminKey });
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);
        Assert.False(noHeader.Headers.Contains("Set-Cookie"));

        using var empty = await SendAsync(gateway.Http, HttpMethod.Post, "/ui/login", new { key = "" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ConsoleSession.CsrfHeader, "1");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }
}
