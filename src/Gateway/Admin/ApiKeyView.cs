using Router.Gateway.Auth;

namespace Router.Gateway.Admin;

/// <summary>A key as the admin API shows it: never the hash; the secret (<see cref="Key"/>) only in the creation response.</summary>
public sealed record ApiKeyView : ApiKeySettings
{
    /// <summary>An empty view (object initialisers, JSON).</summary>
    public ApiKeyView()
    {
    }

    /// <summary>A view with <paramref name="settings"/>' λ, arms, caps and limits.</summary>
    public ApiKeyView(ApiKeySettings settings)
        : base(settings)
    {
    }

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

    /// <summary>Spend today (UTC), in listings.</summary>
    public double? SpendTodayUsd { get; init; }

    /// <summary>Spend this month (UTC), in listings.</summary>
    public double? SpendMonthUsd { get; init; }
}
