using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Trace;
using Router.Gateway.Telemetry;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>Spans (in-memory exporter) and metrics (MetricCollector, Prometheus scrape) of real requests.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private FaultUpstream _a = null!;
    private FaultUpstream _b = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _a = await FaultUpstream.StartAsync();
        _b = await FaultUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(
            GatewayHost.Merge(
                GatewayHost.Arm(0, "a", _a.BaseUrl, 1, 2),
                GatewayHost.Arm(1, "b", _b.BaseUrl, 10, 20),
                new Dictionary<string, string?>
                {
                    ["Router:AdminKey"] = AdminKey,
                    ["Router:Resilience:MaxRetries"] = "0",
                }),
            services: s => s.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(_spans)));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Request_WithFallback_EmitsRouteAndUpstreamSpans()
    {
        var (keyId, secret) = await CreateKeyAsync(_gateway, new { name = "traced", lambda = 7.25 });
        _a.Plan = _ => Fault.Status500;
        using var response = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = response.Headers.GetValues("x-router-request-id").Single();
        await _gateway.Observer.WaitForAsync(requestId);

        Activity[] Mine(string name)
        {
            lock (_spans)
            {
                return [.. _spans.Where(s => s.OperationName == name && (string?)s.GetTagItem("router.request_id") == requestId)];
            }
        }

        var route = Assert.Single(Mine(GatewayTelemetry.RouteSpan));
        Assert.Equal("a", route.GetTagItem("router.chosen_arm"));
        Assert.Equal("a,b", route.GetTagItem("router.ranked_arms"));
        Assert.Equal(7.25, route.GetTagItem("router.lambda"));
        Assert.Equal(keyId, route.GetTagItem("router.api_key_id"));
        Assert.Equal("Say hello".Length, route.GetTagItem("router.query_length"));
        Assert.Contains("a=", (string)route.GetTagItem("router.scores")!, StringComparison.Ordinal);

        var upstream = Mine(GatewayTelemetry.UpstreamSpan).OrderBy(s => s.StartTimeUtc).ToArray();
        Assert.Equal(2, upstream.Length);
        Assert.Equal(("a", 500, ActivityStatusCode.Error), ((string)upstream[0].GetTagItem("router.arm")!, (int)upstream[0].GetTagItem("http.response.status_code")!, upstream[0].Status));
        Assert.Equal("b", upstream[1].GetTagItem("router.arm"));
        Assert.Equal(true, upstream[1].GetTagItem("router.fallback"));
        Assert.Equal(route.TraceId, upstream[1].TraceId);

        // The ASP.NET Core request span carries the outcome of the fallback.
        Activity server;
        lock (_spans)
        {
            server = _spans.Single(s => s.Kind == ActivityKind.Server && s.TraceId == route.TraceId && s.ParentSpanId == default); // the upstreams' server spans join the trace too
        }

        Assert.Equal("a", server.GetTagItem("router.fallback_from"));
        Assert.Equal("b", server.GetTagItem("router.arm"));
    }

    [Fact]
    public async Task Requests_RecordCountersHistogramsAndCircuitState()
    {
        var factory = _gateway.Services.GetRequiredService<IMeterFactory>();
        _ = _gateway.Services.GetRequiredService<GatewayMetrics>();
        using var requests = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.requests");
        using var tokens = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.tokens");
        using var cost = new MetricCollector<double>(factory, GatewayTelemetry.SourceName, "router.cost");
        using var duration = new MetricCollector<double>(factory, GatewayTelemetry.SourceName, "router.request.duration");
        using var ttft = new MetricCollector<double>(factory, GatewayTelemetry.SourceName, "router.time_to_first_token");
        using var fallbacks = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.fallbacks");
        using var feedback = new MetricCollector<long>(factory, GatewayTelemetry.SourceName, "router.feedback");
        using var circuit = new MetricCollector<int>(factory, GatewayTelemetry.SourceName, "router.circuit.state");

        for (var i = 0; i < 3; i++)
        {
            using var ok = await _gateway.Http.SendAsync(Chat(null));
            await _gateway.Observer.WaitForAsync(ok.Headers.GetValues("x-router-request-id").Single());
        }

        _a.Plan = _ => Fault.Status500;
        using (var fallback = await _gateway.Http.SendAsync(Chat(null)))
        {
            await _gateway.Observer.WaitForAsync(fallback.Headers.GetValues("x-router-request-id").Single());
        }

        _gateway.Services.GetRequiredService<GatewayMetrics>().RecordFeedback("binary");

        Assert.Equal(3, requests.GetMeasurementSnapshot().Where(m => (string?)m.Tags["arm"] == "a").Sum(m => m.Value));
        Assert.Equal(1, requests.GetMeasurementSnapshot().Where(m => (string?)m.Tags["arm"] == "b").Sum(m => m.Value));
        Assert.Equal(4 * 10, tokens.GetMeasurementSnapshot().Where(m => (string?)m.Tags["kind"] == "prompt").Sum(m => m.Value));
        Assert.Equal(4 * 5, tokens.GetMeasurementSnapshot().Where(m => (string?)m.Tags["kind"] == "completion").Sum(m => m.Value));

        // Cost at configured prices: 3 × (10×1 + 5×2)/1e6 on a, 1 × (10×10 + 5×20)/1e6 on b.
        Assert.Equal(3 * 20e-6 + 200e-6, cost.GetMeasurementSnapshot().Sum(m => m.Value), 12);
        Assert.Equal(4, duration.GetMeasurementSnapshot().Count);
        Assert.Equal(4, ttft.GetMeasurementSnapshot().Count);
        Assert.Equal("a", Assert.Single(fallbacks.GetMeasurementSnapshot()).Tags["from"]);
        Assert.Equal("binary", Assert.Single(feedback.GetMeasurementSnapshot()).Tags["kind"]);

        circuit.RecordObservableInstruments();
        var states = circuit.GetMeasurementSnapshot();
        Assert.Contains(states, m => (string?)m.Tags["arm"] == "a" && m.Value == 0);
    }

    [Fact]
    public async Task Metrics_PrometheusScrape_ExposesGatewayAndStateMeters()
    {
        using (var ok = await _gateway.Http.SendAsync(Chat(null)))
        {
            await _gateway.Observer.WaitForAsync(ok.Headers.GetValues("x-router-request-id").Single());
        }

        // The Prometheus exporter caches a scrape for a short while; poll until the request shows up.
        string text = "";
        await EventuallyAsync(async () =>
        {
            text = await _gateway.Http.GetStringAsync("/metrics");
            return text.Contains("router_requests", StringComparison.Ordinal);
        }, "router_requests in /metrics");
        Assert.Contains("router_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("router_tokens", text, StringComparison.Ordinal);
        Assert.Contains("router_state", text, StringComparison.Ordinal);
        Assert.Contains("le=\"0.25\"", text, StringComparison.Ordinal); // second-scale buckets, not the millisecond defaults
    }

    [Fact]
    public async Task Otlp_EndpointConfigured_GatewayStartsAndServesWhileCollectorIsAbsent()
    {
        // Loopback port with nothing listening: export fails in the background, requests must not notice.
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "a", _a.BaseUrl, 1, 2),
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = FaultUpstream.RefusingUrl().GetLeftPart(UriPartial.Authority) }));
        var provider = gateway.Services.GetRequiredService<TracerProvider>();
        Assert.NotNull(provider);
        using var ok = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
