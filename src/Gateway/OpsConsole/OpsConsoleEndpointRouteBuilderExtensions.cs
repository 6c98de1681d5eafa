using Router.Gateway.Admin;
using Router.Gateway.Usage.History;
using Scalar.AspNetCore;

namespace Router.Gateway.OpsConsole;

/// <summary>Maps the ops console, the usage APIs, the policy frontier, the OpenAPI document and its reference page.</summary>
public static class OpsConsoleEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/ui/</c> (<see cref="ConsoleEndpoints"/>), <c>GET /admin/usage</c> and <c>GET /v1/usage</c>
    /// (<see cref="UsageEndpoints"/>), <c>GET /admin/policy/frontier</c>, <c>/openapi/v1.json</c> and <c>/docs</c>
    /// (Scalar, its script served from its assembly, default CDN fonts off, so it works with no internet).
    /// </summary>
    public static IEndpointRouteBuilder MapOpsConsoleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpsConsole();
        endpoints.MapUsageEndpoints();
        endpoints.MapAdminGroup().MapGet("/policy/frontier", FrontierAsync)
            .WithTags("admin").WithSummary("Predicted quality vs cost of the loaded engine over the validation prompt set, per λ.")
            .Produces<FrontierView>();
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        endpoints.MapScalarApiReference("/docs", options => options
            .WithTitle("LLM router gateway API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts());
        return endpoints;
    }

    private static async Task<IResult> FrontierAsync(HttpContext http, CancellationToken cancellationToken)
    {
        // The frontier needs the MixLLM engine (AddRouterLearning); a gateway without it has no frontier to show.
        if (http.RequestServices.GetService<Learning.LearnedState>() is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No routing engine",
                detail: "This gateway runs without the MixLLM engine, so there is no frontier.");
        }

        return Results.Ok(await http.RequestServices.GetRequiredService<PolicyFrontier>().ComputeAsync(cancellationToken));
    }
}
