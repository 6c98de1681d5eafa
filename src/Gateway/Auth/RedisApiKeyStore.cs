using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.Auth;

/// <summary>
/// Keys in Redis, shared by every replica: hash <c>{prefix}:apikeys</c> (id → JSON), hash <c>{prefix}:apikeys:byhash</c>
/// (secret hash → id) and set <c>{prefix}:apikeys:active</c>. Lookups are cached locally for
/// <see cref="CacheTtl"/> so a request costs no Redis round trip while the cache is warm; a revocation therefore
/// reaches the other replicas within that time (at once on the replica that revoked). While Redis is unreachable the
/// last answer seen for a lookup is served however old it is (degraded mode keeps serving known clients; a revocation
/// made elsewhere meanwhile is seen once Redis returns); a lookup never answered before fails closed (the caller: 503).
/// </summary>
public sealed class RedisApiKeyStore : IApiKeyStore
{
    /// <summary>How long a lookup (hit or miss) is trusted locally.</summary>
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly RedisKey _keys;
    private readonly RedisKey _byHash;
    private readonly RedisKey _active;
    private readonly ConcurrentDictionary<string, (ClientApiKey? Key, long Expires)> _cache = new(StringComparer.Ordinal);
    private (bool Any, long Expires) _anyCache;

    /// <summary>Creates the store on the shared multiplexer.</summary>
    public RedisApiKeyStore(IConnectionMultiplexer redis, IOptions<RedisStateOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _time = time;
        var prefix = options.Value.KeyTag;
        _keys = prefix + ":apikeys";
        _byHash = prefix + ":apikeys:byhash";
        _active = prefix + ":apikeys:active";
    }

    /// <inheritdoc />
    public async ValueTask<ClientApiKey?> FindBySecretHashAsync(string secretHash, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(secretHash, out var cached) && cached.Expires > now)
        {
            return cached.Key;
        }

        ClientApiKey? key;
        try
        {
            var db = _redis.GetDatabase();
            var id = await db.HashGetAsync(_byHash, secretHash);
            key = id.IsNull ? null : Deserialize(await db.HashGetAsync(_keys, id.ToString()));
        }
        catch (Exception ex) when (RedisCalls.IsTransient(ex) && cached.Expires != 0)
        {
            return cached.Key; // stale but known: keep serving while Redis is away
        }

        if (_cache.Count > 10_000)
        {
            _cache.Clear(); // bounded: random bearer tokens must not grow memory without end
        }

        _cache[secretHash] = (key, now + Ticks(CacheTtl));
        return key;
    }

    /// <inheritdoc />
    public async ValueTask<bool> HasActiveKeysAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var cached = _anyCache;
        if (cached.Expires > now)
        {
            return cached.Any;
        }

        bool any;
        try
        {
            any = await _redis.GetDatabase().SetLengthAsync(_active) > 0;
        }
        catch (Exception ex) when (RedisCalls.IsTransient(ex) && cached.Expires != 0)
        {
            return cached.Any; // stale but known: keep serving while Redis is away
        }


        _anyCache = (any, now + Ticks(CacheTtl));
        return any;
    }

    /// <inheritdoc />
    public async Task AddAsync(ClientApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var transaction = _redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.HashNotExists(_keys, key.Id));
        _ = transaction.HashSetAsync(_keys, key.Id, Serialize(key));
        _ = transaction.HashSetAsync(_byHash, key.SecretHash, key.Id);
        _ = transaction.SetAddAsync(_active, key.Id);
        if (!await transaction.ExecuteAsync())
        {
            throw new InvalidOperationException($"A key with id {key.Id} exists.");
        }

        _cache.TryRemove(key.SecretHash, out _);
        _anyCache = default;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClientApiKey>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await _redis.GetDatabase().HashGetAllAsync(_keys);
        return [.. entries.Select(e => Deserialize(e.Value)!).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<ClientApiKey?> GetAsync(string id, CancellationToken cancellationToken) =>
        Deserialize(await _redis.GetDatabase().HashGetAsync(_keys, id));

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var key = await GetAsync(id, cancellationToken);
        if (key is null)
        {
            return false;
        }

        if (key.IsActive)
        {
            var transaction = _redis.GetDatabase().CreateTransaction();
            _ = transaction.HashSetAsync(_keys, id, Serialize(key with { RevokedAt = at }));
            _ = transaction.SetRemoveAsync(_active, id);
            await transaction.ExecuteAsync();
        }

        _cache.TryRemove(key.SecretHash, out _);
        _anyCache = default;
        return true;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static string Serialize(ClientApiKey key) => JsonSerializer.Serialize(key, ApiKeyJson.Options);

    private static ClientApiKey? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ClientApiKey>(value.ToString(), ApiKeyJson.Options);
}
