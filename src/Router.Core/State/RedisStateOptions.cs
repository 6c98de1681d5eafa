namespace Router.Core.State;

/// <summary>
/// Where the shared state lives (configuration section <c>Router:Redis</c>; env <c>Router__Redis__Configuration</c>).
/// When <see cref="Configuration"/> is empty the state is in-process (the embedded default, one replica).
/// </summary>
public sealed record RedisStateOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>. Empty: in-process state.
    /// The server needs AOF (<c>appendonly yes</c>, <c>appendfsync always</c> or <c>everysec</c>) for acknowledged
    /// events to survive its restart.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Prefix of every key and channel, so deployments (and tests) can share one server. Keys that must be updated
    /// together carry it as a hash tag (<c>{prefix}:...</c>), so the scripts also work on a Redis Cluster. Default <c>router</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "router";

    /// <summary><see cref="KeyPrefix"/> as a hash tag, <c>{prefix}</c>: the start of every key a script updates with others.</summary>
    public string KeyTag => HashTag(KeyPrefix);

    /// <summary>A key prefix as a Redis Cluster hash tag: <c>{prefix}</c>.</summary>
    public static string HashTag(string prefix) => "{" + prefix + "}";

    /// <summary>True when Redis is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>Problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.AsSpan().IndexOfAny("{} \t\r\n") >= 0)
        {
            errors.Add("Router:Redis:KeyPrefix must be non-empty without braces or whitespace.");
        }

        if (Enabled)
        {
            try
            {
                _ = StackExchange.Redis.ConfigurationOptions.Parse(Configuration!);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Router:Redis:Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }
        }

        return errors;
    }
}
