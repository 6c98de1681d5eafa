using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Router.Gateway;
using Router.Gateway.Admin;
using Router.Gateway.OpenAi;
using Router.Gateway.Protocols;
using Router.Gateway.Usage;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The gateway on real Kestrel at 127.0.0.1 and a free port, assembled as Program.cs assembles it, with configuration
/// from a dictionary (and optionally a JSON file) and a <see cref="CapturingObserver"/>.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri address, CapturingObserver observer)
    {
        _app = app;
        Address = address;
        Observer = observer;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The gateway's root URL.</summary>
    public Uri Address { get; }

    /// <summary>The OpenAI base URL for SDK clients.</summary>
    public Uri OpenAiEndpoint => new(Address, "/v1");

    /// <summary>Sees every completed request.</summary>
    public CapturingObserver Observer { get; }

    /// <summary>A client for raw HTTP calls.</summary>
    public HttpClient Http { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway with the given <c>Router</c> settings (keys relative to the root, e.g. <c>Router:Arms:0:Name</c>).</summary>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?> settings, string? jsonFile = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        if (jsonFile is not null)
        {
            builder.Configuration.AddJsonFile(jsonFile, optional: false);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var observer = new CapturingObserver();
        builder.Services.AddSingleton<IRequestObserver>(observer);
        services?.Invoke(builder.Services);

        // The gateway without the learning layer: forwarding, errors and keys behind the deterministic
        // CheapestArmRouter (ReplicaHost runs the whole product, as Program.cs does).
        builder.Services.AddRouterGateway(builder.Configuration);
        var app = builder.Build();
        app.UseOpenAiErrors();
        app.MapProtocolEndpoints();
        app.MapOpenAiEndpoints();
        app.MapApiKeyAdminEndpoints();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await WaitForRedisAsync(app);
        return new GatewayHost(app, new Uri(address), observer);
    }

    /// <summary>
    /// The embedded default: src/Gateway/appsettings.json alone (simulated arms, no keys, no Redis), with the four
    /// simulated arms sped up (time to first token 10 ms, 2,000 tokens/s); everything else is the shipped profile.
    /// </summary>
    public static Task<GatewayHost> StartDefaultProfileAsync()
    {
        var faster = new Dictionary<string, string?>();
        for (var i = 0; i < 4; i++)
        {
            faster[$"Router:Arms:{i}:TimeToFirstTokenSeconds"] = "0.01";
            faster[$"Router:Arms:{i}:TokensPerSecond"] = "2000";
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln")))
        {
            dir = dir.Parent;
        }

        var appSettings = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Router.sln not found above the test folder"), "src", "Gateway", "appsettings.json");
        return StartAsync(faster, jsonFile: appSettings);
    }

    /// <summary>Settings for one arm at <paramref name="index"/>.</summary>
    public static Dictionary<string, string?> Arm(
        int index, string name, Uri? baseUrl, double inputPrice, double outputPrice,
        string provider = "openai", string? upstreamModel = null, string? apiKeyEnv = null, double timeoutSeconds = 30,
        bool enabled = true, string? tags = null)
    {
        var p = $"Router:Arms:{index}:";
        var settings = new Dictionary<string, string?>
        {
            [p + "Name"] = name,
            [p + "Provider"] = provider,
            [p + "BaseUrl"] = baseUrl?.ToString(),
            [p + "UpstreamModel"] = upstreamModel,
            [p + "ApiKeyEnv"] = apiKeyEnv,
            [p + "InputPricePerMillion"] = inputPrice.ToString(CultureInfo.InvariantCulture),
            [p + "OutputPricePerMillion"] = outputPrice.ToString(CultureInfo.InvariantCulture),
            [p + "TimeoutSeconds"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            [p + "Enabled"] = enabled ? "true" : "false",
        };
        if (tags is not null)
        {
            settings[p + "Tags:0"] = tags;
        }

        return settings;
    }

    /// <summary>Merges setting dictionaries.</summary>
    public static Dictionary<string, string?> Merge(params IDictionary<string, string?>[] parts)
    {
        var all = new Dictionary<string, string?>();
        foreach (var part in parts)
        {
            foreach (var (k, v) in part)
            {
                all[k] = v;
            }
        }

        return all;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// With Redis configured, waits (at most 15 s) until the host's multiplexer answers PING, as a readiness gate holds
    /// traffic back: under CI load the first connect can outlast the 1 s connect timeout, and a request that arrives
    /// before the background reconnect is answered 503 (correctly, but not what the test is about).
    /// </summary>
    private static async Task WaitForRedisAsync(WebApplication app)
    {
        if (!string.IsNullOrEmpty(app.Configuration["Router:Redis:Configuration"]))
        {
            await RedisServer.TryWaitConnectedAsync(app.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), TimeSpan.FromSeconds(15));
        }
    }
}
