namespace Router.Gateway.Admin;

/// <summary>A key as the admin API shows it: never the hash; the secret (<see cref="Key"/>) only in the creation response.</summary>
public sealed record ApiKeyView
{
    /// <summary>Public id.</summary>
    public required string Id { get; init; }

    /// <summary>Label.</summary>
    public required string Name { get; init; }

    /// <summary>The secret, present only when the key was just created.</summary>
    public string? Key { get; init; }

    /// <summary>Start of the secret.</summary>
    public required string Prefix { get; init; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Revocation time.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Not revoked.</summary>
    public bool Active { get; init; }

    /// <summary>Budget weight λ.</summary>
    public double? Lambda { get; init; }

    /// <summary>Allowed arms (null = all).</summary>
    public IReadOnlyList<string>? AllowedArms { get; init; }

    /// <summary>Daily cap.</summary>
    public double? DailySpendCapUsd { get; init; }

    /// <summary>Monthly cap.</summary>
    public double? MonthlySpendCapUsd { get; init; }

    /// <summary>Requests per minute.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Tokens per minute.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Spend today (UTC), in listings.</summary>
    public double? SpendTodayUsd { get; init; }

    /// <summary>Spend this month (UTC), in listings.</summary>
    public double? SpendMonthUsd { get; init; }
}
