using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Router.Gateway.OpsConsole;

/// <summary>Titles the OpenAPI document and names the two credentials (client key on <c>/v1</c>, admin key on <c>/admin</c>).</summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "LLM router gateway",
            Version = "v1",
            Description = "OpenAI-compatible API (/v1, Bearer client key; model \"auto\" is routed by MixLLM), feedback (/v1/feedback) " +
                "and the admin API (/admin, Bearer admin key). /v1 errors use the OpenAI envelope {\"error\":{...}}; /admin errors are ProblemDetails.",
        };
        AddRequestDelegateEndpoints(document, context.ApplicationServices.GetRequiredService<EndpointDataSource>());
        return Task.CompletedTask;
    }

    // The OpenAI routes are mapped as plain RequestDelegates (the proxy reads and streams the body itself), which the
    // API explorer skips; list them here so the document covers every /v1 and /admin route. Their bodies are OpenAI's.
    private static void AddRequestDelegateEndpoints(OpenApiDocument document, EndpointDataSource endpoints)
    {
        document.Paths ??= [];
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + endpoint.RoutePattern.RawText?.Trim('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is not { Count: > 0 } || path.Contains("**", StringComparison.Ordinal) || document.Paths.ContainsKey(path)
                || !(path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/admin/", StringComparison.Ordinal)))
            {
                continue;
            }

            var item = new OpenApiPathItem();
            foreach (var method in methods)
            {
                item.AddOperation(HttpMethod.Parse(method), new OpenApiOperation
                {
                    Summary = "OpenAI-compatible: request and response bodies as OpenAI's API (model \"auto\" is routed).",
                    Tags = new HashSet<OpenApiTagReference> { new("v1", document) },
                    Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "As OpenAI's API (SSE when stream=true)." } },
                });
            }

            document.Paths[path] = item;
        }
    }
}
