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
        return Task.CompletedTask;
    }
}
