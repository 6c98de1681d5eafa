using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Router.Gateway.Auth;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>Client keys, allowed arms, spend caps and rate limits on one gateway (in-process stores, fake time).</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 5, TimeSpan.Zero));
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(
            GatewayHost.Merge(
                GatewayHost.Arm(0, "cheap", _upstream.BaseUrl, 1, 2),
                GatewayHost.Arm(1, "pricey", _upstream.BaseUrl, 10, 20),
                new Dictionary<string, string?> { ["Router:AdminKey"] = AdminKey }),
            services: s => s.AddSingleton<TimeProvider>(_time));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Request_NoKeysOnLoopback_IsServed()
    {
        using var response = await _gateway.Http.SendAsync(Chat(bearer: null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("sk-router-not-a-real-key", "unknown")]
    [InlineData("", "empty")]
    public async Task Request_KeysExistAndBadBearer_Returns401Envelope(string? bearer, string what)
    {
        await CreateKeyAsync(_gateway, new { name = "team-a" });
        using var request = Chat(bearer);
        if (bearer == "")
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
        }

        using var response = await _gateway.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, what);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var (type, code, _) = await EnvelopeAsync(response);
        Assert.Equal("invalid_request_error", type);
        Assert.Equal("invalid_api_key", code);
        Assert.Empty(_upstream.Received);
    }

    [Fact]
    public async Task Key_CreatedListedRevoked_WorksThenIsRefused()
    {
        var (id, secret) = await CreateKeyAsync(_gateway, new { name = "team-a", lambda = 3.5, requestsPerMinute = 100 });
        Assert.StartsWith(ApiKeySecrets.SecretPrefix, secret, StringComparison.Ordinal);

        using (var ok = await _gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // Listing shows the key, its spend, never the secret or its hash.
        using (var list = new HttpRequestMessage(HttpMethod.Get, "/admin/keys"))
        {
            list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var response = await _gateway.Http.SendAsync(list);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKeySecrets.Hash(secret), text, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(text);
            var key = json.RootElement.GetProperty("data").EnumerateArray().Single();
            Assert.Equal(id, key.GetProperty("id").GetString());
            Assert.Equal(3.5, key.GetProperty("lambda").GetDouble());
            Assert.True(key.GetProperty("active").GetBoolean());
        }

        using (var revoke = new HttpRequestMessage(HttpMethod.Delete, "/admin/keys/" + id))
        {
            revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            using var response = await _gateway.Http.SendAsync(revoke);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // Revoked, and no other key: the gateway is open to loopback again; with another key, the revoked one is 401.
        await CreateKeyAsync(_gateway, new { name = "team-b" });
        using var refused = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"x","lambda":-1}""", "lambda")]
    [InlineData("""{"name":"x","requestsPerMinute":0}""", "requestsPerMinute")]
    [InlineData("""{"name":"x","allowedArms":["nope"]}""", "allowedArms")]
    [InlineData("""{"name":"x","dailySpendCapUsd":-5}""", "dailySpendCapUsd")]
    [InlineData("""{"name":"x","colour":"red"}""", "JSON")]
    [InlineData("""{"name":""", "JSON")]
    public async Task CreateKey_BadBody_Returns400ProblemDetails(string body, string mentions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/keys")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await _gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentions, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Admin_UnknownKeyAndNoAdminKey_Return404And401()
    {
        using var missing = new HttpRequestMessage(HttpMethod.Delete, "/admin/keys/key_nope");
        missing.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var notFound = await _gateway.Http.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        using var anonymous = await _gateway.Http.PostAsJsonAsync("/admin/keys", new { name = "x" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task AllowedArms_PinnedOtherArm403_AutoRoutesOnlyToAllowed()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "pricey-only", allowedArms = new[] { "pricey" } });

        using var pinned = await _gateway.Http.SendAsync(Chat(secret, """{"model":"cheap","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.Forbidden, pinned.StatusCode);
        Assert.Equal("model_not_allowed", (await EnvelopeAsync(pinned)).Code);

        // The cheapest-arm router would pick "cheap"; the key only allows "pricey".
        using var auto = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.OK, auto.StatusCode);
        Assert.Equal("pricey", auto.Headers.GetValues("x-router-arm").Single());
    }

    [Fact]
    public async Task SpendCap_Reached_Returns429InsufficientQuotaUntilNextDay()
    {
        // One request costs 11 prompt × $1/M + 5 completion × $2/M = $0.000021 on "cheap": a cap of $0.00003 allows two.
        var (id, secret) = await CreateKeyAsync(_gateway, new { name = "capped", dailySpendCapUsd = 0.00003 });
        var ledger = _gateway.Services.GetRequiredService<ISpendLedger>();
        for (var i = 1; i <= 2; i++)
        {
            using var ok = await _gateway.Http.SendAsync(Chat(secret));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var expected = i * 0.000021;
            await EventuallyAsync(async () => Math.Abs((await ledger.GetAsync(id, default)).TodayUsd - expected) < 1e-12, "spend " + i);
        }

        using var refused = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var (type, code, message) = await EnvelopeAsync(refused);
        Assert.Equal(("insufficient_quota", "insufficient_quota"), (type, code));
        Assert.Contains("daily", message, StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Received.Count);

        // A new UTC day resets the daily counter (the month keeps counting).
        _time.Advance(TimeSpan.FromDays(1));
        using var nextDay = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        await EventuallyAsync(async () => (await ledger.GetAsync(id, default)).MonthUsd > 0.00006, "month spend");
    }

    [Fact]
    public async Task RequestsPerMinute_OverLimit_Returns429WithSlidingRetryAfterThenAllows()
    {
        var (_, secret) = await CreateKeyAsync(_gateway, new { name = "rpm", requestsPerMinute = 2 });
        for (var i = 0; i < 2; i++)
        {
            using var ok = await _gateway.Http.SendAsync(Chat(secret));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("requests", "rate_limit_exceeded"), ((await EnvelopeAsync(refused)).Type, (await EnvelopeAsync(refused)).Code));

        // 12:00:05, 2 of 2 counted: the next window starts in 55 s with estimate 2 × (1 − g), and 2 × (1 − g) + 1 ≤ 2
        // at g = 1/2 (30 s): 85 s. (A fixed window reset at 12:01:00 and said 55 s.)
        Assert.Equal("85", refused.Headers.GetValues("Retry-After").Single());

        // GET /v1/models is not rate limited (it costs nothing upstream).
        using var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        models.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Http.SendAsync(models)).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(55)); // 12:01:00: estimate 2, still refused
        using (var boundary = await _gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, boundary.StatusCode);
            Assert.Equal("30", boundary.Headers.GetValues("Retry-After").Single());
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        using var again = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task TokensPerMinute_ChargedAfterRequest_RefusesTheNext()
    {
        // The upstream reports 11 + 5 = 16 tokens; a limit of 10 lets the first request through and refuses the next.
        var (id, secret) = await CreateKeyAsync(_gateway, new { name = "tpm", tokensPerMinute = 10 });
        using (var ok = await _gateway.Http.SendAsync(Chat(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var limiter = _gateway.Services.GetRequiredService<Router.Gateway.RateLimiting.IClientRateLimiter>();
        await EventuallyAsync(async () => !(await limiter.TryAcquireAsync(id, null, 10, default)).Allowed, "tokens charged");
        using var refused = await _gateway.Http.SendAsync(Chat(secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var (type, code, _) = await EnvelopeAsync(refused);
        Assert.Equal(("tokens", "rate_limit_exceeded"), (type, code));
    }

    [Fact]
    public async Task Completion_WithKey_CarriesKeyIdForCharging()
    {
        var (id, secret) = await CreateKeyAsync(_gateway, new { name = "charged" });
        using var response = await _gateway.Http.SendAsync(Chat(secret));
        var requestId = response.Headers.GetValues("x-router-request-id").Single();
        var completion = await _gateway.Observer.WaitForAsync(requestId);
        Assert.Equal(id, completion.ApiKeyId);
    }
}
