using Router.Gateway;
using Router.Gateway.Admin;
using Router.Gateway.OpenAi;

// The gateway: an OpenAI-compatible API that routes `model: "auto"` to the best arm for the money.
// With no configuration it serves the simulated arms of appsettings.json on http://localhost:5000.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRouterGateway(builder.Configuration);   // options, arm catalog, router, forwarder, usage

var app = builder.Build();
app.UseOpenAiErrors();                                      // OpenAI error envelope on /v1/*, never a stack trace
app.MapOpenAiEndpoints();                                   // /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models
app.MapApiKeyAdminEndpoints();                              // /admin/keys: client keys, budgets, limits (admin key)
app.MapGet("/health/live", () => Results.Ok());
app.Run();
