using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Router.Core.Embedding;
using Router.Gateway;
using Router.Gateway.Learning;
using Router.Gateway.OpenAi;

namespace EndToEnd.Tests.Replicas;

/// <summary>
/// One gateway replica assembled exactly as Program.cs assembles it (MixLLM for <c>auto</c>, state layer, feedback,
/// admin, health) on real Kestrel at 127.0.0.1:0. The MiniLM encoder is shared by all replicas of the test run
/// (loading it is the slow part of a start); everything else is per replica.
/// </summary>
public sealed class ReplicaHost : IAsyncDisposable
{
    /// <summary>The admin key every test replica uses.</summary>
    public const string AdminKey = "test-admin-key";

    private static readonly Lazy<MiniLmEncoder> SharedEncoder = new(() => new MiniLmEncoder());
    private readonly WebApplication _app;
    private bool _disposed;

    private ReplicaHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <summary>The MiniLM encoder the replicas share (e.g. to train a verifier on the embeddings the gateway computes).</summary>
    public static ITextEncoder SharedTextEncoder => SharedEncoder.Value;

    /// <summary>The replica's root URL.</summary>
    public Uri Address { get; }

    /// <summary>The OpenAI base URL for SDK clients.</summary>
    public Uri OpenAiEndpoint => new(Address, "/v1");

    /// <summary>Plain client.</summary>
    public HttpClient Http { get; }

    /// <summary>Client sending the admin key.</summary>
    public HttpClient Admin { get; }

    /// <summary>The replica's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a replica on the shipped simulated arms (sped up), with <paramref name="settings"/> on top
    /// (e.g. <c>Router:Redis:Configuration</c>). <paramref name="beforeEndpoints"/> may add middleware (e.g. a stand-in
    /// for authentication that sets the caller's API key id).
    /// </summary>
    /// <param name="settings">Configuration on top of the shipped appsettings.json.</param>
    /// <param name="beforeEndpoints">Middleware to add before the endpoints.</param>
    /// <param name="sharedEncoder">False: the replica loads its own encoder from its <c>Router:MixLlm</c> settings (as Program.cs does).</param>
    public static async Task<ReplicaHost> StartAsync(IDictionary<string, string?> settings, Action<WebApplication>? beforeEndpoints = null, bool sharedEncoder = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile(AppSettingsPath(), optional: false);
        var all = new Dictionary<string, string?>
        {
            ["Router:AdminKey"] = AdminKey,
            ["Router:State:BufferDirectory"] = Path.Combine(Path.GetTempPath(), "router-e2e-buffer-" + Guid.NewGuid().ToString("N")),
            ["Router:DecisionLog:Directory"] = Path.Combine(Path.GetTempPath(), "router-e2e-decisions-" + Guid.NewGuid().ToString("N")),
        };
        for (var i = 0; i < 4; i++)
        {
            all[$"Router:Arms:{i}:TimeToFirstTokenSeconds"] = "0.005";
            all[$"Router:Arms:{i}:TokensPerSecond"] = "5000";
        }

        foreach (var (k, v) in settings)
        {
            all[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (sharedEncoder)
        {
            builder.Services.AddSingleton<ITextEncoder>(SharedEncoder.Value);
        }


        // As in Program.cs:
        builder.Services.AddRouterGateway(builder.Configuration);
        builder.Services.AddRouterLearning(builder.Configuration);
        var app = builder.Build();
        app.UseOpenAiErrors();
        beforeEndpoints?.Invoke(app);
        app.MapRouterGateway();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new ReplicaHost(app, new Uri(address));
        if (!string.IsNullOrEmpty(app.Configuration["Router:Redis:Configuration"]))
        {
            await host.WaitUntilSeededAsync();
        }

        return host;
    }

    /// <summary>A routed (or pinned) chat request; returns the request id and the arm that served.</summary>
    public async Task<(string RequestId, string Arm, string Policy)> ChatAsync(string text, string model = "auto")
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = text } } });
        using var response = await Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {content}");
        return (Header(response, "x-router-request-id"), Header(response, "x-router-arm"), Header(response, "x-router-policy"));
    }

    /// <summary>Posts feedback; returns the status code (and the body).</summary>
    public async Task<(HttpStatusCode Status, string Body)> FeedbackAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync("/v1/feedback", body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET /admin/stats.</summary>
    public async Task<JsonElement> StatsAsync()
    {
        using var response = await Admin.GetAsync("/admin/stats");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    /// <summary>Polls /admin/stats until <paramref name="condition"/> holds (or fails after <paramref name="timeoutSeconds"/>).</summary>
    public async Task<JsonElement> WaitForStatsAsync(Func<JsonElement, bool> condition, double timeoutSeconds = 10, string? what = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement stats;
        do
        {
            stats = await StatsAsync();
            if (condition(stats))
            {
                return stats;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Timed out waiting for {what ?? "the folded state"}: {stats}");
        return stats;
    }

    /// <summary>Stops and disposes the host (as a replica going away).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Http.Dispose();
        Admin.Dispose();
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Settings for a replica on Redis with its own key prefix.</summary>
    public static Dictionary<string, string?> OnRedis(RedisServer server, string prefix, string? bufferDirectory = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Router:Redis:Configuration"] = server.Configuration,
            ["Router:Redis:KeyPrefix"] = prefix,
        };
        if (bufferDirectory is not null)
        {
            settings["Router:State:BufferDirectory"] = bufferDirectory;
        }

        return settings;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First() : "";

    private static string AppSettingsPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Router.sln not found above the test folder"), "src", "Gateway", "appsettings.json");
    }

    /// <summary>
    /// Waits (at most 15 s) until <c>/health/ready</c> says healthy with the arm registry seeded, as a readiness gate holds
    /// traffic back: under CI load the first Redis connect can outlast the 1 s connect timeout, and an admin change that
    /// arrives before the background reconnect and seed is answered 503 (correctly, but not what the test is about).
    /// After 15 s it returns anyway; the test's own assertions then say what is wrong.
    /// </summary>
    private async Task WaitUntilSeededAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Http.GetAsync("/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var ready = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (ready.GetProperty("status").GetString() == "healthy" && ready.GetProperty("registryVersion").GetInt64() > 0)
                {
                    return;
                }
            }

            await Task.Delay(20);
        }
    }
}
