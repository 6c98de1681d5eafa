using Router.Gateway;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;

// The gateway: an OpenAI-compatible API that routes `model: "auto"` to the best arm for the money.
// With no configuration it serves the simulated arms of appsettings.json on http://localhost:5000.
// Content root = the app's folder, so appsettings.json (the embedded default arms) is found whatever the working
// directory (`dotnet run --project src/Gateway`, `dotnet path/to/Router.Gateway.dll`, a container's WORKDIR).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddRouterGateway(builder.Configuration);   // options, arm catalog, forwarder, usage, keys, limits, resilience, telemetry, response cache
builder.Services.AddRouterLearning(builder.Configuration);  // MixLLM for auto, shared state (Redis or in-process), learning

var app = builder.Build();
app.UseOpenAiErrors();                                      // OpenAI error envelope on /v1/*, never a stack trace
app.MapRouterGateway();                                     // /v1/*, /v1/feedback, /admin/*, /health/*
app.Run();
