using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;
using Router.Gateway.OpsConsole;

namespace Router.Gateway.Admin;

/// <summary>
/// Guards every <c>/admin</c> endpoint with <see cref="GatewayOptions.AdminKey"/>: no key configured → 404 (the admin
/// API is off), no bearer token (or only whitespace after <c>Bearer</c>) → 401, wrong token → 403; all as ProblemDetails. The comparison is constant-time.
/// The ops console's session cookie (<see cref="ConsoleSession"/>) is the one other credential, accepted only together
/// with its <c>X-Router-Console</c> header (CSRF guard).
/// </summary>
internal sealed class AdminKeyFilter(IOptions<GatewayOptions> options, TimeProvider time) : IEndpointFilter
{
    private readonly byte[]? _adminKey = string.IsNullOrEmpty(options.Value.AdminKey)
        ? null
        : Encoding.UTF8.GetBytes(options.Value.AdminKey);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_adminKey is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "The admin API is disabled",
                detail: "Set Router:AdminKey (env Router__AdminKey) to enable /admin.");
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (header.Length == 0 && ConsoleSession.Authenticates(context.HttpContext.Request, _adminKey, time.GetUtcNow()))
        {
            return await next(context);
        }

        // "Bearer" followed only by whitespace carries no credential: 401 like no header, not 403 (a wrong key).
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (token.Length == 0)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: "Send the admin key as 'Authorization: Bearer <key>'.");
        }

        var presented = Encoding.UTF8.GetBytes(token);
        if (!CryptographicOperations.FixedTimeEquals(presented, _adminKey))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Admin key rejected",
                detail: "The bearer token is not the configured admin key.");
        }

        return await next(context);
    }
}
