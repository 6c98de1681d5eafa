namespace Router.Gateway.Admin;

/// <summary>The <c>/admin</c> route group: every admin endpoint is mapped on it and so shares its key check.</summary>
public static class AdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Returns the <c>/admin</c> group guarded by the admin key (<see cref="AdminKeyFilter"/>). Map admin endpoints on
    /// it; answer errors with ProblemDetails (<c>Results.Problem</c> / <c>Results.ValidationProblem</c>).
    /// </summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGroup("/admin").AddEndpointFilter<AdminKeyFilter>();
    }
}
