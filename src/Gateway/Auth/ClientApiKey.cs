namespace Router.Gateway.Auth;

/// <summary>
/// A client API key as stored: only the SHA-256 of the secret is kept (the secret is shown once, at creation).
/// Limits left null are not enforced. Immutable; a revoked key keeps its record (with <see cref="RevokedAt"/>) so
/// that listing shows it and its secret can never authenticate again.
/// </summary>
public sealed record ClientApiKey : ApiKeySettings
{
    /// <summary>An empty key (object initialisers, JSON).</summary>
    public ClientApiKey()
    {
    }

    /// <summary>A key with <paramref name="settings"/>' λ, arms, caps and limits.</summary>
    public ClientApiKey(ApiKeySettings settings)
        : base(settings)
    {
    }

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

    /// <summary>True until revoked.</summary>
    public bool IsActive => RevokedAt is null;

    /// <summary>Whether this key may use <paramref name="arm"/>.</summary>
    public bool AllowsArm(string arm) =>
        AllowedArms is not { Count: > 0 } || AllowedArms.Contains(arm, StringComparer.OrdinalIgnoreCase);
}
