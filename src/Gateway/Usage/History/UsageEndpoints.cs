using System.Globalization;
using Router.Gateway.Admin;
using Router.Gateway.Auth;

namespace Router.Gateway.Usage.History;

/// <summary>
/// <c>GET /admin/usage</c> (admin key; ProblemDetails errors) and <c>GET /v1/usage</c> (the caller's own client key;
/// OpenAI-envelope errors). Both read the <see cref="IUsageStore"/>; a store outage answers 503.
/// </summary>
public static class UsageEndpoints
{
    /// <summary>At most this many bucket widths per query (a week of minutes), so one read stays bounded.</summary>
    public const int MaxBucketsPerQuery = 10_080;

    /// <summary>Maps both endpoints.</summary>
    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAdminGroup().MapGet("/usage", AdminUsageAsync)
            .WithTags("admin").WithSummary("Usage over time, bucketed (1m|1h|1d) and grouped by arm, key or model; summed over all replicas with Redis.")
            .Produces<UsageBuckets>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        endpoints.MapGet("/v1/usage", KeyUsageAsync)
            .WithTags("v1").WithSummary("The calling client key's own usage per day, spend, caps and remaining budget.")
            .Produces<KeyUsage>();
        return endpoints;
    }

    private static async Task<IResult> AdminUsageAsync(
        HttpContext http, IUsageStore store, TimeProvider time, string? from = null, string? to = null, string? bucket = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy = null)
    {
        var errors = new Dictionary<string, string[]>();
        var size = UsageBucketSize.Hour;
        if (bucket is not null && !UsageGroups.TryParseSize(bucket, out size))
        {
            errors["bucket"] = ["Must be 1m, 1h or 1d."];
        }

        var dimension = UsageDimension.Arm;
        if (groupBy is not null && !UsageGroups.TryParseDimension(groupBy, out dimension))
        {
            errors["group_by"] = ["Must be arm, key or model."];
        }

        var end = ParseTime(to, "to", errors) ?? time.GetUtcNow();
        var start = ParseTime(from, "from", errors) ?? end - (UsageGroups.Width(size) * DefaultBuckets(size));
        if (errors.Count == 0 && start > end)
        {
            errors["from"] = ["Must not be after 'to'."];
        }
        else if (errors.Count == 0 && (end - start) / UsageGroups.Width(size) > MaxBucketsPerQuery)
        {
            errors["from"] = [$"The range spans more than {MaxBucketsPerQuery} buckets of {UsageGroups.Name(size)}; use a wider bucket or a shorter range."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        return await GuardAsync(http, async () =>
            Results.Ok(new UsageBuckets(await store.QueryAsync(new UsageQuery(start, end, size, dimension), http.RequestAborted))));
    }

    private static async Task<IResult> KeyUsageAsync(HttpContext http, IUsageStore store, ISpendLedger spend, TimeProvider time, int? days = null)
    {
        if (http.Features.Get<ClientKeyFeature>()?.Key is not { } key)
        {
            // An open gateway (no keys yet) serves loopback callers without a key, but there is no key to report on.
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return new OpenAiErrorResult(AccessErrors.MissingKey());
        }

        if (days is < 1 or > 400)
        {
            return new OpenAiErrorResult(OpenAi.OpenAiError.InvalidRequest("'days' must be between 1 and 400.", "days"));
        }

        var now = time.GetUtcNow();
        var today = UsageGroups.StartOf(now, UsageBucketSize.Day);
        var first = today.AddDays(1 - (days ?? 30));
        return await GuardAsync(http, async () =>
        {
            var buckets = await store.QueryAsync(new UsageQuery(first, now, UsageBucketSize.Day, UsageDimension.Key, key.Id), http.RequestAborted);
            var totals = await spend.GetAsync(key.Id, http.RequestAborted);
            var perDay = buckets.Select(b => new KeyUsageDay(DateOnly.FromDateTime(b.Start.UtcDateTime), b.Requests, b.Errors, b.InputTokens, b.OutputTokens, b.CostUsd)).ToArray();
            return Results.Ok(new KeyUsage
            {
                KeyId = key.Id,
                Name = key.Name,
                From = DateOnly.FromDateTime(first.UtcDateTime),
                To = DateOnly.FromDateTime(today.UtcDateTime),
                Totals = new KeyUsageTotals(
                    perDay.Sum(d => d.Requests), perDay.Sum(d => d.Errors), perDay.Sum(d => d.InputTokens), perDay.Sum(d => d.OutputTokens),
                    Math.Round(perDay.Sum(d => d.CostUsd), 9)),
                Budget = new KeyBudget(
                    totals.TodayUsd, totals.MonthUsd, key.DailySpendCapUsd, key.MonthlySpendCapUsd,
                    key.DailySpendCapUsd is { } d ? Math.Max(0, d - totals.TodayUsd) : null,
                    key.MonthlySpendCapUsd is { } m ? Math.Max(0, m - totals.MonthUsd) : null),
                Days = perDay,
            });
        });
    }

    // Without 'from': the last hour of minutes, the last day of hours, the last 30 days.
    private static int DefaultBuckets(UsageBucketSize size) => size switch
    {
        UsageBucketSize.Minute => 60,
        UsageBucketSize.Hour => 24,
        _ => 30,
    };

    private static DateTimeOffset? ParseTime(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            && value.Year is >= 2000 and <= 9000)
        {
            return value;
        }

        errors[field] = ["Must be an ISO-8601 date or time (e.g. 2026-01-31T12:00:00Z)."];
        return null;
    }

    private static async Task<IResult> GuardAsync(HttpContext http, Func<Task<IResult>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            UsageLog.QueryFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UsageEndpoints)), http.Request.Path, ex);
            return http.Request.Path.StartsWithSegments("/v1")
                ? new OpenAiErrorResult(new OpenAi.OpenAiError(StatusCodes.Status503ServiceUnavailable, "Usage is unavailable right now; please retry.", "service_unavailable"))
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Usage store unavailable", detail: "Redis could not be reached; retry.");
        }
    }
}

/// <summary>The body of <c>GET /admin/usage</c>.</summary>
/// <param name="Buckets">Buckets ordered by start, then group.</param>
public sealed record UsageBuckets(IReadOnlyList<UsageBucket> Buckets);

/// <summary>Writes an <see cref="OpenAi.OpenAiError"/> as an endpoint result.</summary>
internal sealed class OpenAiErrorResult(OpenAi.OpenAiError error) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => error.WriteAsync(httpContext.Response, httpContext.RequestAborted);
}
