namespace Router.Testing;

/// <summary>A fact that needs redis-server: skipped loudly when it is missing, unless ROUTER_REQUIRE_REDIS=1 (CI), where it fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
