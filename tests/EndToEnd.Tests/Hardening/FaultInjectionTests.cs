using System.Net;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Router.Gateway.Resilience;
using Router.Gateway.Usage;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>
/// Fault injection with loopback upstreams: arm "a" (cheap, faulty) is ranked first by price, "b" (pricey, healthy)
/// second. The gateway falls back while nothing reached the client, never after, and circuits open and close.
/// </summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private const string StreamBody = """{"model":"auto","stream":true,"messages":[{"role":"user","content":"Say hello"}]}""";
    private FaultUpstream _a = null!;
    private FaultUpstream _b = null!;

    public async Task InitializeAsync()
    {
        _a = await FaultUpstream.StartAsync();
        _b = await FaultUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Theory]
    [InlineData(Fault.Status500, "status 500")]
    [InlineData(Fault.SlowFirstByte, "timeout (first byte)")]
    public async Task Auto_FirstArmFailsBeforeFirstByte_FallsBackWithHeaders(Fault fault, string reason)
    {
        _a.Plan = _ => fault;
        await using var gateway = await StartAsync(_a.BaseUrl);
        using var response = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("b", response.Headers.GetValues("x-router-arm").Single());
        Assert.Equal("true", response.Headers.GetValues("x-router-fallback").Single());
        Assert.Equal("a", response.Headers.GetValues("x-router-fallback-from").Single());
        Assert.Equal(2, _a.Count); // one retry on "a" (MaxRetries = 1) before falling back
        var completion = await gateway.Observer.WaitForAsync(response.Headers.GetValues("x-router-request-id").Single());
        Assert.Equal(["a", "b"], completion.AttemptedArms);
        Assert.True(completion.FallbackUsed, reason);
    }

    [Fact]
    public async Task PerArmFirstByteTimeout_ArmWithItsOwnLongerTimeoutServesAfterTheGlobalOneFellBack()
    {
        // Both arms send their first byte after 2.5 s. The global first-byte timeout is 1 s; arm b's own is 30 s
        // (Router:Resilience:Arms:b:FirstByteTimeout). Without b's override the request would end in a 504.
        _a.Plan = _ => Fault.SlowFirstByte;
        _b.Plan = _ => Fault.SlowFirstByte;
        _a.Delay = _b.Delay = TimeSpan.FromSeconds(2.5);
        await using var gateway = await StartAsync(_a.BaseUrl, ("Router:Resilience:Arms:b:FirstByteTimeout", "00:00:30"), ("Router:Resilience:MaxRetries", "0"));

        using var response = await gateway.Http.SendAsync(Chat(null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("b", response.Headers.GetValues("x-router-arm").Single());
        Assert.Equal("a", response.Headers.GetValues("x-router-fallback-from").Single());
        var completion = await gateway.Observer.WaitForAsync(response.Headers.GetValues("x-router-request-id").Single());
        Assert.Equal(["a", "b"], completion.AttemptedArms);
        Assert.Equal(1, _a.Count);
    }

    [Fact]
    public async Task Auto_ConnectionRefused_FallsBack()
    {
        await using var gateway = await StartAsync(FaultUpstream.RefusingUrl());
        using var response = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", response.Headers.GetValues("x-router-fallback-from").Single());
    }

    [Fact]
    public async Task Auto_TransientFailureThenSuccess_RetriesSameArmWithoutFallback()
    {
        _a.Plan = n => n == 0 ? Fault.Status500 : Fault.None;
        await using var gateway = await StartAsync(_a.BaseUrl);
        using var response = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", response.Headers.GetValues("x-router-arm").Single());
        Assert.False(response.Headers.Contains("x-router-fallback"));
        Assert.Equal(2, _a.Count);
        Assert.Equal(0, _b.Count);
    }

    [Fact]
    public async Task Stream_CutMidway_IsNeverRetriedOrFallenBack()
    {
        _a.Plan = _ => Fault.CutStream;
        await using var gateway = await StartAsync(_a.BaseUrl);
        var received = "";
        try
        {
            using var response = await gateway.Http.SendAsync(Chat(null, StreamBody), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("a", response.Headers.GetValues("x-router-arm").Single());
            received = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            // The gateway aborts the client connection when the upstream's stream breaks: the client sees an
            // incomplete body, or (when the abort overtakes the queued first chunk) a reset before the headers.
        }

        Assert.DoesNotContain("[DONE]", received, StringComparison.Ordinal);
        var completion = Assert.Single(await gateway.Observer.WaitForCountAsync(1));
        Assert.NotEqual(RequestOutcome.Succeeded, completion.Outcome);
        Assert.Equal(["a"], completion.AttemptedArms);
        Assert.Equal(1, _a.Count);
        Assert.Equal(0, _b.Count);
    }

    [Fact]
    public async Task Stream_SlowDrip_CutAtTotalTimeoutWithoutFallback()
    {
        _a.Plan = _ => Fault.SlowDrip;
        _a.Delay = TimeSpan.FromMilliseconds(100);
        // 2 s: long enough that a loaded CI machine still sees the first drip before it (else the gateway would, rightly,
        // fall back to b before the first byte), short next to the 100 s drip.
        await using var gateway = await StartAsync(_a.BaseUrl, ("Router:Resilience:TotalTimeout", "00:00:02"));
        using var response = await gateway.Http.SendAsync(Chat(null, StreamBody), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        try
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("drip", text, StringComparison.Ordinal);
            Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            // Aborted mid-body: what the client must see when a started stream cannot be finished.
        }

        var completion = await gateway.Observer.WaitForAsync(response.Headers.GetValues("x-router-request-id").Single());
        Assert.Equal(RequestOutcome.UpstreamTimeout, completion.Outcome);
        Assert.Equal(0, _b.Count);
    }

    [Fact]
    public async Task Pinned_FailingArm_FailsCleanlyWithoutFallback()
    {
        _a.Plan = _ => Fault.Status500;
        await using var gateway = await StartAsync(_a.BaseUrl);
        using var response = await gateway.Http.SendAsync(Chat(null, """{"model":"a","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var (type, _, message) = await EnvelopeAsync(response);
        Assert.Equal("upstream_error", type);
        Assert.DoesNotContain("sk-", message, StringComparison.Ordinal);
        Assert.Equal(0, _b.Count);
    }

    [Fact]
    public async Task Circuit_OpensOnFailures_LeavesRoutingThenHalfOpensAndCloses()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _a.Plan = _ => Fault.Status500;
        await using var gateway = await StartAsync(
            _a.BaseUrl,
            time,
            ("Router:Resilience:MaxRetries", "0"),
            ("Router:Resilience:BreakerMinimumThroughput", "2"),
            ("Router:Resilience:BreakerFailureRatio", "0.5"),
            ("Router:Resilience:BreakerBreakDuration", "00:00:30"));
        var resilience = gateway.Services.GetRequiredService<ArmResilience>();

        // Two failures (each served by the fallback "b") open a's circuit.
        for (var i = 0; i < 2; i++)
        {
            using var fallback = await gateway.Http.SendAsync(Chat(null));
            Assert.Equal("b", fallback.Headers.GetValues("x-router-arm").Single());
        }

        Assert.Equal(CircuitState.Open, resilience.StateOf("a"));
        Assert.False(resilience.IsAvailable("a"));

        // While open, "a" is no candidate: "b" serves first-hand, "a" sees nothing.
        using (var skipped = await gateway.Http.SendAsync(Chat(null)))
        {
            Assert.Equal("b", skipped.Headers.GetValues("x-router-arm").Single());
            Assert.False(skipped.Headers.Contains("x-router-fallback"));
        }

        Assert.Equal(2, _a.Count);

        // Pinned to the open arm: 503 with Retry-After, no upstream call.
        using (var pinned = await gateway.Http.SendAsync(Chat(null, """{"model":"a","messages":[{"role":"user","content":"hi"}]}""")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, pinned.StatusCode);
            Assert.Equal("circuit_open", (await EnvelopeAsync(pinned)).Code);
            Assert.Equal("30", pinned.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(2, _a.Count);

        // After the break: half-open, "a" is offered again; it has recovered, the trial succeeds, the circuit closes.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(CircuitState.HalfOpen, resilience.StateOf("a"));
        _a.Plan = _ => Fault.None;
        using (var trial = await gateway.Http.SendAsync(Chat(null)))
        {
            Assert.Equal("a", trial.Headers.GetValues("x-router-arm").Single());
        }

        Assert.Equal(CircuitState.Closed, resilience.StateOf("a"));
    }

    [Fact]
    public async Task AllArmsFailing_Returns5xxEnvelopeAndStaysHealthy()
    {
        _a.Plan = _ => Fault.Status500;
        _b.Plan = _ => Fault.Status500;
        await using var gateway = await StartAsync(_a.BaseUrl, ("Router:Resilience:MaxRetries", "0"));
        using var response = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_error", (await EnvelopeAsync(response)).Type);
        _b.Plan = _ => Fault.None;
        using var healthy = await gateway.Http.SendAsync(Chat(null));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    private Task<GatewayHost> StartAsync(Uri aUrl, params (string Key, string Value)[] settings) => StartAsync(aUrl, null, settings);

    private Task<GatewayHost> StartAsync(Uri aUrl, TimeProvider? time, params (string Key, string Value)[] settings)
    {
        var all = GatewayHost.Merge(
            GatewayHost.Arm(0, "a", aUrl, 1, 2, timeoutSeconds: 10),
            GatewayHost.Arm(1, "b", _b.BaseUrl, 10, 20, timeoutSeconds: 10),
            new Dictionary<string, string?>
            {
                // Long enough that a loaded CI machine still delivers the request before it fires.
                ["Router:Resilience:FirstByteTimeout"] = "00:00:01",
                ["Router:Resilience:RetryBaseDelay"] = "00:00:00.01",
            });
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return GatewayHost.StartAsync(all, services: time is null ? null : s => s.AddSingleton(time));
    }
}
