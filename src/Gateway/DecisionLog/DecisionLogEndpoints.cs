using System.Globalization;
using Router.Gateway.Admin;

namespace Router.Gateway.DecisionLog;

/// <summary>
/// <c>GET /admin/decisions?limit=&amp;key=&amp;arm=&amp;requestId=</c> (the newest decisions with outcome and feedback,
/// for the console's Decisions page) and <c>GET /admin/decisions/export?from=&amp;to=</c> (JSONL, oldest first, the
/// input of <c>router ope</c>). Bad parameters → 400 ProblemDetails.
/// </summary>
public static class DecisionLogEndpoints
{
    private const int MaxLimit = 1000;

    /// <summary>Maps the two endpoints on the admin group.</summary>
    public static IEndpointRouteBuilder MapDecisionLogEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = endpoints.MapAdminGroup();
        admin.MapGet("/decisions", ListAsync);
        admin.MapGet("/decisions/export", ExportAsync);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.RequestServices.GetService<IDecisionLog>() is not { } log)
        {
            return NoLog();
        }

        var depth = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<DecisionLogOptions>>().Value.SearchDepth;
        var query = http.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var rawLimit)
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return Invalid("limit", $"Must be an integer from 1 to {MaxLimit}.");
        }

        var records = await log.RecentAsync(depth, cancellationToken);
        var decisions = DecisionLogQuery.Decisions(records, limit, Text(query, "key"), Text(query, "arm"), Text(query, "requestId"));
        return Results.Ok(new { decisions = decisions.Select(View) });
    }

    private static async Task ExportAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.RequestServices.GetService<IDecisionLog>() is not { } log)
        {
            await NoLog().ExecuteAsync(http);
            return;
        }

        if (!TryTime(http, "from", out var from, out var error) || !TryTime(http, "to", out var to, out error))
        {
            await error!.ExecuteAsync(http);
            return;
        }

        // Feedback may come after `to`: collect it from `from` on, then stream the window's decisions with it.
        var feedback = new Dictionary<string, DecisionFeedback>(StringComparer.Ordinal);
        await foreach (var r in log.ReadAsync(from, null, cancellationToken))
        {
            if (r is { Type: DecisionLogRecord.FeedbackType, Feedback: { } f })
            {
                feedback[r.RequestId] = f;
            }
        }

        http.Response.ContentType = "application/x-ndjson";
        await foreach (var record in DecisionLogQuery.Join(log.ReadAsync(from, to, cancellationToken), feedback).WithCancellation(cancellationToken))
        {
            await http.Response.Body.WriteAsync(DecisionLogJson.Serialize(record), cancellationToken);
            await http.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
        }
    }

    /// <summary>The console's shape: the record without the embedding and score terms it does not show.</summary>
    private static object View(DecisionLogRecord r) => new
    {
        requestId = r.RequestId,
        time = r.Time,
        keyId = r.KeyId,
        promptHash = r.PromptHash,
        prompt = r.Prompt,
        policy = r.Policy,
        lambda = r.Lambda,
        chosenArm = r.ChosenArm,
        propensity = r.Propensity,
        candidates = r.Candidates.Select(c => new { arm = c.Arm, score = c.Score, predictedQuality = c.PredictedQuality, predictedCostUsd = c.PredictedCostUsd, excludedReason = c.ExcludedReason }),
        outcome = r.Outcome is { } o ? new { arm = o.Arm, status = o.Status, costUsd = o.CostUsd, latencyMs = o.LatencyMs } : null,
        feedback = r.Feedback is { } f ? new { kind = f.Kind, score = f.Score, time = f.Time } : null,
    };

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

    private static bool TryTime(HttpContext http, string name, out DateTimeOffset? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!http.Request.Query.TryGetValue(name, out var raw) || string.IsNullOrEmpty(raw.ToString()))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(raw.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = Invalid(name, "Must be an ISO-8601 time, e.g. 2026-12-07T15:00:00Z.");
        return false;
    }

    private static IResult NoLog() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No decision log",
        detail: "This gateway runs without the routing engine, so it logs no decisions.");

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
