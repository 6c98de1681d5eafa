using Router.Gateway.Admin;
using Router.Gateway.DecisionLog;
using Router.Gateway.Feedback;
using Router.Gateway.Health;
using Router.Gateway.OpenAi;
using Router.Gateway.OpsConsole;
using Router.Gateway.Personalisation;
using Router.Gateway.Protocols;

namespace Router.Gateway;

/// <summary>Maps every endpoint of the gateway; Program.cs and the end-to-end test hosts share it.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/v1/*</c> (OpenAI API and feedback), <c>/admin/*</c> (arms, policy, stats, checkpoint, client keys) and
    /// <c>/health/*</c>. Call after <c>UseOpenAiErrors()</c> and any middleware of the host.
    /// </summary>
    public static WebApplication MapRouterGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapProtocolEndpoints();      // /v1/messages, /v1/messages/count_tokens
        app.MapOpenAiEndpoints();        // /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models
        app.MapFeedbackEndpoints();      // POST /v1/feedback
        app.MapAdminEndpoints();         // /admin/arms, /admin/policy, /admin/stats, /admin/checkpoint (Router:AdminKey)
        app.MapDecisionLogEndpoints();   // /admin/decisions, /admin/decisions/export (decision log)
        app.MapApiKeyAdminEndpoints();   // /admin/keys: client keys, budgets, limits
        app.MapUserAdminEndpoints();     // /admin/users/{id}: personal terms, forget a user
        app.MapRouterHealth();           // /health/live, /health/ready
        app.MapOpsConsoleEndpoints();    // /ui/, /admin/usage, /v1/usage, /admin/policy/frontier, /openapi/v1.json, /docs
        return app;
    }
}
