using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// Snapshots in Redis: one hash per snapshot (<c>{prefix}:snapshot:&lt;id&gt;</c>: state, id, created) and a
/// newest-first list of their keys (<c>{prefix}:snapshots</c>). Save is one Lua script (compare with the newest,
/// push, drop the ones beyond the retained count), so concurrent savers on several replicas cannot interleave.
/// </summary>
public sealed class RedisSnapshotStore : ISnapshotStore
{
    private const string SaveScript = RedisLua.LogIdBefore + """
        local newest = redis.call('LINDEX', KEYS[1], 0)
        if newest then
          local newestId = redis.call('HGET', newest, 'id')
          if newestId and not before(newestId, ARGV[2]) then return 0 end
        end
        redis.call('HSET', KEYS[2], 'state', ARGV[1], 'id', ARGV[2], 'created', ARGV[3])
        redis.call('LPUSH', KEYS[1], KEYS[2])
        local keep = tonumber(ARGV[4])
        local dropped = redis.call('LRANGE', KEYS[1], keep, -1)
        for _, k in ipairs(dropped) do redis.call('DEL', k) end
        redis.call('LTRIM', KEYS[1], 0, keep - 1)
        return 1
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeyspace _keys;
    private readonly int _retained;

    /// <summary>Creates the store over the shared multiplexer.</summary>
    public RedisSnapshotStore(IConnectionMultiplexer redis, IOptions<RedisStateOptions> redisOptions, IOptions<LearningStateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(redisOptions);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _keys = new RedisKeyspace(redisOptions.Value.KeyPrefix);
        _retained = options.Value.SnapshotsRetained;
    }

    /// <inheritdoc />
    public async ValueTask<bool> SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var stored = await RedisCalls.Run(
            () => db.ScriptEvaluateAsync(
                SaveScript,
                [_keys.SnapshotIndex, _keys.Snapshot(snapshot.LastAppliedId)],
                [snapshot.State, snapshot.LastAppliedId.ToString(), snapshot.CreatedAt.ToUnixTimeMilliseconds(), _retained]),
            "snapshot save").ConfigureAwait(false);
        return (int)stored == 1;
    }

    /// <inheritdoc />
    public async ValueTask<StateSnapshot?> LoadLatestAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        // A retry covers the race where a concurrent save drops the key between LINDEX and HGET.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var key = await RedisCalls.Run(() => db.ListGetByIndexAsync(_keys.SnapshotIndex, 0), "snapshot load").ConfigureAwait(false);
            if (key.IsNull)
            {
                return null;
            }

            var fields = await RedisCalls.Run(() => db.HashGetAsync((string)key!, ["state", "id", "created"]), "snapshot load").ConfigureAwait(false);
            if (fields[1].IsNull)
            {
                continue;
            }

            return new StateSnapshot(
                (byte[])fields[0]! ?? [],
                LogId.Parse((string)fields[1]!),
                DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]));
        }

        return null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StateSnapshot>> LoadRetainedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var keys = await RedisCalls.Run(() => db.ListRangeAsync(_keys.SnapshotIndex), "snapshot load").ConfigureAwait(false);
        var snapshots = new List<StateSnapshot>(keys.Length);
        foreach (var key in keys)
        {
            var fields = await RedisCalls.Run(() => db.HashGetAsync((string)key!, ["state", "id", "created"]), "snapshot load").ConfigureAwait(false);
            if (fields[1].IsNull)
            {
                continue; // dropped by a concurrent save
            }

            snapshots.Add(new StateSnapshot(
                (byte[])fields[0]! ?? [],
                LogId.Parse((string)fields[1]!),
                DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2])));
        }

        return snapshots;
    }

    /// <inheritdoc />
    public async ValueTask<LogId?> GetOldestRetainedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var key = await RedisCalls.Run(() => db.ListGetByIndexAsync(_keys.SnapshotIndex, -1), "snapshot index").ConfigureAwait(false);
        if (key.IsNull)
        {
            return null;
        }

        var id = await RedisCalls.Run(() => db.HashGetAsync((string)key!, "id"), "snapshot index").ConfigureAwait(false);
        return id.IsNull ? null : LogId.Parse((string)id!);
    }
}
