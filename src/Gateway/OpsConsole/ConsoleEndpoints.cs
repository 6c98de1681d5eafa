using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;
using Router.Gateway.Usage.History;

namespace Router.Gateway.OpsConsole;

/// <summary>
/// The ops console at <c>/ui/</c>: static files embedded in this assembly (<c>src/Gateway/Ui</c>, no CDN, no external
/// fonts), and the login that turns the admin key into a session cookie (<see cref="ConsoleSession"/>). Every data call
/// the page makes is an ordinary <c>/admin/*</c> call. With no admin key configured the console answers 404, as the
/// admin API does.
/// </summary>
public static class ConsoleEndpoints
{
    // The page loads only its own files; charts draw on canvas; inline style attributes are uPlot's.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(ConsoleEndpoints).Assembly, "Ui");
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps <c>/ui</c>, <c>/ui/{file}</c>, <c>POST /ui/login</c>, <c>POST /ui/logout</c>, <c>GET /ui/session</c>.</summary>
    public static IEndpointRouteBuilder MapOpsConsole(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var ui = endpoints.MapGroup("/ui").ExcludeFromDescription();
        ui.MapGet("/{**path}", ServeFile);
        ui.MapPost("/login", LoginAsync);
        ui.MapPost("/logout", Logout);
        ui.MapGet("/session", Session);
        return endpoints;
    }

    private static IResult ServeFile(HttpContext http, IOptions<GatewayOptions> options, string? path = null)
    {
        if (string.IsNullOrEmpty(options.Value.AdminKey))
        {
            return Disabled();
        }

        if (!http.Request.Path.HasValue || !http.Request.Path.Value.EndsWith('/') && string.IsNullOrEmpty(path))
        {
            // "/ui" → "/ui/", so the page's relative links (app.js, vendor/…) resolve under /ui/.
            return Results.Redirect("/ui/");
        }

        var name = string.IsNullOrEmpty(path) ? "index.html" : path;
        var file = name.Contains("..", StringComparison.Ordinal) ? null : Files.GetFileInfo(name);
        if (file is not { Exists: true } || file.IsDirectory)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The console has no file '{name}'.");
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        var contentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, IOptions<GatewayOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        if (string.IsNullOrEmpty(options.Value.AdminKey))
        {
            return Disabled();
        }

        if (http.Request.Headers[ConsoleSession.CsrfHeader] != "1")
        {
            return MissingHeader();
        }

        ConsoleLogin? login;
        try
        {
            login = await JsonSerializer.DeserializeAsync<ConsoleLogin>(http.Request.Body, JsonSerializerOptions.Web, http.RequestAborted);
        }
        catch (JsonException)
        {
            login = null;
        }

        if (string.IsNullOrEmpty(login?.Key) || login.Key.Length > 1000)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["key"] = ["Enter the admin key."] });
        }

        var logger = loggers.CreateLogger(typeof(ConsoleEndpoints));
        var remote = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var adminKey = Encoding.UTF8.GetBytes(options.Value.AdminKey);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(login.Key), adminKey))
        {
            UsageLog.ConsoleLoginRefused(logger, remote);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key rejected", detail: "That is not the admin key.");
        }

        var expires = time.GetUtcNow() + ConsoleSession.Lifetime;
        http.Response.Cookies.Append(ConsoleSession.CookieName, ConsoleSession.Issue(adminKey, expires), ConsoleSession.CookieOptions(http.Request, expires));
        UsageLog.ConsoleLogin(logger, remote);
        return Results.NoContent();
    }

    private static IResult Logout(HttpContext http)
    {
        if (http.Request.Headers[ConsoleSession.CsrfHeader] != "1")
        {
            return MissingHeader();
        }

        http.Response.Cookies.Delete(ConsoleSession.CookieName, ConsoleSession.CookieOptions(http.Request, null));
        return Results.NoContent();
    }

    private static IResult Session(HttpContext http, IOptions<GatewayOptions> options, TimeProvider time)
    {
        if (string.IsNullOrEmpty(options.Value.AdminKey))
        {
            return Disabled();
        }

        return ConsoleSession.Authenticates(http.Request, Encoding.UTF8.GetBytes(options.Value.AdminKey), time.GetUtcNow())
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not logged in", detail: "Log in with the admin key.");
    }

    private static IResult Disabled() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "The admin console is disabled",
        detail: "Set Router:AdminKey (env Router__AdminKey) to enable /ui and /admin.");

    private static IResult MissingHeader() => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Console header required",
        detail: $"Send '{ConsoleSession.CsrfHeader}: 1' (the console does; a cross-site form cannot).");
}
