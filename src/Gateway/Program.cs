using Router.Gateway;
using Router.Gateway.Admin;
using Router.Gateway.Feedback;
using Router.Gateway.Health;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;

// The gateway: an OpenAI-compatible API that routes `model: "auto"` to the best arm for the money.
// With no configuration it serves the simulated arms of appsettings.json on http://localhost:5000.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRouterGateway(builder.Configuration);   // options, arm catalog, router, forwarder, usage
builder.Services.AddRouterLearning(builder.Configuration);  // MixLLM for auto, shared state (Redis or in-process), learning

var app = builder.Build();
app.UseOpenAiErrors();                                      // OpenAI error envelope on /v1/*, never a stack trace
app.MapOpenAiEndpoints();                                   // /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models
app.MapFeedbackEndpoints();                                 // POST /v1/feedback
app.MapAdminEndpoints();                                    // /admin/* (Router:AdminKey)
app.MapRouterHealth();                                      // /health/live, /health/ready
app.MapApiKeyAdminEndpoints();                              // /admin/keys: client keys, budgets, limits
app.Run();
