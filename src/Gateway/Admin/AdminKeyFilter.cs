using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;

namespace Router.Gateway.Admin;

/// <summary>
/// Guards every <c>/admin</c> endpoint with <see cref="GatewayOptions.AdminKey"/>: no key configured → 404 (the admin
/// API is off), no bearer token → 401, wrong token → 403; all as ProblemDetails. The comparison is constant-time.
/// </summary>
internal sealed class AdminKeyFilter(IOptions<GatewayOptions> options) : IEndpointFilter
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
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: "Send the admin key as 'Authorization: Bearer <key>'.");
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
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
