using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// Maps StackExchange.Redis transport failures to <see cref="StateStoreUnavailableException"/>; <see cref="IsTransient"/>
/// is the one definition of "Redis is away" for every Redis-backed store (state layer and gateway alike).
/// </summary>
public static class RedisCalls
{
    /// <summary>Runs <paramref name="call"/>, turning a transient Redis failure into <see cref="StateStoreUnavailableException"/>.</summary>
    public static async Task<T> Run<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            throw new StateStoreUnavailableException($"Redis unavailable during {what}: {ex.Message}", ex);
        }
    }

    /// <summary>Connection lost, timed out, or a server state that passes (loading the AOF, failover, OOM).</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException s => s.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || s.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || s.Message.StartsWith("OOM", StringComparison.Ordinal)
            || s.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || s.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal),
        _ => false,
    };
}
