namespace Router.Gateway.Personalisation;

/// <summary>
/// How the gateway names users for personalisation: <c>Router:Personalisation:UserSource</c> and
/// <c>Router:Privacy:HashUsers</c> / <c>Router:Privacy:UserHashSecret</c>. Validated at start.
/// </summary>
public sealed class UserIdentityOptions
{
    /// <summary>The longest user id accepted (longer ones are not personalised; the admin API answers 400).</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>Where the key comes from. Default <see cref="UserSource.Request"/>.</summary>
    public UserSource UserSource { get; set; } = UserSource.Request;

    /// <summary>
    /// Store and log only a hash of each user id: HMAC-SHA256 with <see cref="UserHashSecret"/> when it is set (an
    /// attacker with the state cannot test guesses without the secret), else SHA-256. Default true.
    /// </summary>
    public bool HashUsers { get; set; } = true;

    /// <summary>The HMAC key for <see cref="HashUsers"/>; the same on every replica. Default none (plain SHA-256).</summary>
    public string? UserHashSecret { get; set; }

    /// <summary>The problems with these settings (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(UserSource))
        {
            problems.Add("Router:Personalisation:UserSource must be Request, ApiKey or None.");
        }

        if (UserHashSecret is { Length: > 0 and < 16 })
        {
            problems.Add("Router:Privacy:UserHashSecret must be at least 16 characters (or unset for plain SHA-256).");
        }

        return problems;
    }
}
