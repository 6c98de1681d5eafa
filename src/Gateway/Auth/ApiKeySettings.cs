namespace Router.Gateway.Auth;

/// <summary>
/// What a client API key allows: its routing λ, its arms, its spend caps and its rate limits. Shared by the key as
/// stored (<see cref="ClientApiKey"/>), the admin API's create body and its view of a key, so the three cannot drift.
/// Null = not set (deployment default λ, all arms, no cap, no limit). The admin API validates a new key's values:
/// λ &gt; 0, caps ≥ 0, limits ≥ 1, arms that exist.
/// </summary>
public abstract record ApiKeySettings
{
    /// <summary>Budget weight λ for <c>auto</c> requests with this key (a request's own λ still wins); null = deployment default.</summary>
    public double? Lambda { get; init; }

    /// <summary>The arms this key may use (pinned or routed); null or empty = all.</summary>
    public IReadOnlyList<string>? AllowedArms { get; init; }

    /// <summary>Spend cap in USD per UTC day; null = none.</summary>
    public double? DailySpendCapUsd { get; init; }

    /// <summary>Spend cap in USD per UTC calendar month; null = none.</summary>
    public double? MonthlySpendCapUsd { get; init; }

    /// <summary>Requests per minute (sliding-window counter over one-minute windows, shared by all replicas); null = none.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Prompt + completion tokens per minute; null = none. Charged after each request, so one request may overshoot.</summary>
    public int? TokensPerMinute { get; init; }
}
