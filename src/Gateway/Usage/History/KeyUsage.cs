namespace Router.Gateway.Usage.History;

/// <summary><c>GET /v1/usage</c>: the calling key's own usage, caps and remaining budget.</summary>
public sealed record KeyUsage
{
    /// <summary>Always <c>usage</c>.</summary>
    public string Object { get; init; } = "usage";

    /// <summary>The key's id.</summary>
    public required string KeyId { get; init; }

    /// <summary>The key's label.</summary>
    public required string Name { get; init; }

    /// <summary>First day covered (UTC).</summary>
    public required DateOnly From { get; init; }

    /// <summary>Last day covered (UTC, today).</summary>
    public required DateOnly To { get; init; }

    /// <summary>Sums over the days.</summary>
    public required KeyUsageTotals Totals { get; init; }

    /// <summary>Spend today and this month, the caps and what is left of them.</summary>
    public required KeyBudget Budget { get; init; }

    /// <summary>One entry per UTC day with traffic, oldest first.</summary>
    public required IReadOnlyList<KeyUsageDay> Days { get; init; }
}

/// <summary>Totals of <see cref="KeyUsage"/>.</summary>
/// <param name="Requests">Requests.</param>
/// <param name="Errors">Failed requests.</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="CostUsd">USD.</param>
public sealed record KeyUsageTotals(long Requests, long Errors, long InputTokens, long OutputTokens, double CostUsd);

/// <summary>One day of <see cref="KeyUsage"/>.</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="Requests">Requests.</param>
/// <param name="Errors">Failed requests.</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="CostUsd">USD.</param>
public sealed record KeyUsageDay(DateOnly Date, long Requests, long Errors, long InputTokens, long OutputTokens, double CostUsd);

/// <summary>The key's spend against its caps (null cap = none, then nothing is "remaining").</summary>
/// <param name="SpentTodayUsd">Spend this UTC day (the ledger the caps are enforced on).</param>
/// <param name="SpentThisMonthUsd">Spend this UTC month.</param>
/// <param name="DailyCapUsd">Daily cap.</param>
/// <param name="MonthlyCapUsd">Monthly cap.</param>
/// <param name="RemainingTodayUsd">Daily cap minus today's spend (at least 0).</param>
/// <param name="RemainingThisMonthUsd">Monthly cap minus this month's spend (at least 0).</param>
public sealed record KeyBudget(
    double SpentTodayUsd, double SpentThisMonthUsd, double? DailyCapUsd, double? MonthlyCapUsd, double? RemainingTodayUsd, double? RemainingThisMonthUsd);
