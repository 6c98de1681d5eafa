namespace Router.Gateway.Admin;

/// <summary>Body of <c>POST /admin/keys</c> (camelCase JSON; every field but <c>name</c> optional).</summary>
public sealed record CreateApiKeyRequest
{
    /// <summary>Label (required, ≤ 200 characters).</summary>
    public string? Name { get; init; }

    /// <summary>Budget weight λ (&gt; 0).</summary>
    public double? Lambda { get; init; }

    /// <summary>Arms the key may use (must exist).</summary>
    public IReadOnlyList<string>? AllowedArms { get; init; }

    /// <summary>USD per UTC day (≥ 0).</summary>
    public double? DailySpendCapUsd { get; init; }

    /// <summary>USD per UTC month (≥ 0).</summary>
    public double? MonthlySpendCapUsd { get; init; }

    /// <summary>Requests per minute (≥ 1).</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Tokens per minute (≥ 1).</summary>
    public int? TokensPerMinute { get; init; }
}
