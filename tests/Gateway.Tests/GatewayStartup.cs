using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Router.Gateway;

namespace Gateway.Tests;

/// <summary>Starts and stops the gateway's services on <c>settings</c> alone: start-up validation throws from here.</summary>
internal static class GatewayStartup
{
    public static async Task StartAndStopAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRouterGateway(builder.Configuration);
        await using var app = builder.Build();
        await app.StartAsync();
        await app.StopAsync();
    }
}
