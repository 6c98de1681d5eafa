using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Router.Gateway;
using Router.Gateway.Admin;
using Router.Gateway.Feedback;
using Router.Gateway.Health;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;

namespace Gateway.Tests.Admin;

/// <summary>
/// A gateway with learning and the admin API (in-process state, two simulated arms) on real Kestrel at 127.0.0.1:0,
/// shared by the admin tests of a class (tests use their own arm names).
/// </summary>
public sealed class AdminHost : IAsyncLifetime
{
    /// <summary>The configured admin key.</summary>
    public const string Key = "admin-test-key";

    private WebApplication _app = null!;

    /// <summary>Client without credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>Client with the admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Where <c>POST /admin/checkpoint</c> also writes its file.</summary>
    public string ExportDirectory { get; } = Path.Combine(Path.GetTempPath(), "router-admin-export-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Router:AdminKey"] = Key,
            ["Router:CheckpointExportDirectory"] = ExportDirectory,
            ["Router:Arms:0:Name"] = "cheap-sim",
            ["Router:Arms:0:Provider"] = "simulated",
            ["Router:Arms:0:InputPricePerMillion"] = "0.1",
            ["Router:Arms:0:OutputPricePerMillion"] = "0.2",
            ["Router:Arms:0:TimeToFirstTokenSeconds"] = "0.001",
            ["Router:Arms:1:Name"] = "dear-sim",
            ["Router:Arms:1:Provider"] = "simulated",
            ["Router:Arms:1:InputPricePerMillion"] = "5",
            ["Router:Arms:1:OutputPricePerMillion"] = "15",
            ["Router:Arms:1:TimeToFirstTokenSeconds"] = "0.001",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRouterGateway(builder.Configuration);
        builder.Services.AddRouterLearning(builder.Configuration);
        _app = builder.Build();
        _app.UseOpenAiErrors();
        _app.MapOpenAiEndpoints();
        _app.MapFeedbackEndpoints();
        _app.MapAdminEndpoints();
        _app.MapRouterHealth();
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Anonymous = new HttpClient { BaseAddress = address };
        Admin = new HttpClient { BaseAddress = address };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(ExportDirectory))
        {
            Directory.Delete(ExportDirectory, recursive: true);
        }
    }
}
