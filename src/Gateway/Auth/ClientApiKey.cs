namespace Router.Gateway.Auth;

/// <summary>
/// A client API key as stored: only the SHA-256 of the secret is kept (the secret is shown once, at creation).
/// Limits left null are not enforced. Immutable; a revoked key keeps its record (with <see cref="RevokedAt"/>) so
/// that listing shows it and its secret can never authenticate again.
/// </summary>
public sealed record ClientApiKey
{
    /// <summary>Public identifier (<c>key_…</c>), used in the admin API, logs, metrics and routing policies.</summary>
    public required string Id { get; init; }

    /// <summary>Human label (team, application).</summary>
    public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the secret's UTF-8 bytes.</summary>
    public required string SecretHash { get; init; }

    /// <summary>The first characters of the secret, to recognise it in a list (never enough to use it).</summary>
    public required string Prefix { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was revoked; null while active.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

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

    /// <summary>True until revoked.</summary>
    public bool IsActive => RevokedAt is null;

    /// <summary>Whether this key may use <paramref name="arm"/>.</summary>
    public bool AllowsArm(string arm) =>
        AllowedArms is not { Count: > 0 } || AllowedArms.Contains(arm, StringComparer.OrdinalIgnoreCase);
}
