using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Router.Core.Arms;
using Router.Core.Routing;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// The arm registry in Redis: a hash of arms (name → JSON), the global policy (JSON), a hash of per-key policies
/// and a version counter, all under the <c>{prefix}</c> hash tag. Each change is one Lua script (check expected
/// version and existence, write, INCR the version, PUBLISH it), so changes are atomic and totally ordered.
/// Replicas reload on the published version and also compare versions every
/// <see cref="LearningStateOptions.RegistryRefreshInterval"/>, which heals a lost pub/sub message. Thread-safe.
/// </summary>
public sealed class RedisArmRegistryStore : IArmRegistryStore, IAsyncDisposable
{
    // KEYS: 1 arms, 2 key policies, 3 global policy, 4 version. ARGV: 1 op, 2 expected version ('' = any),
    // 3 channel, 4 name or key id, 5 JSON, 6.. (seed) name/JSON pairs. Returns {status, version}; status as RegistryChangeStatus.
    private const string ChangeScript = """
        local v = tonumber(redis.call('GET', KEYS[4]) or '0')
        if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= v then return {3, v} end
        local op = ARGV[1]
        if op == 'seed' then
          if v ~= 0 then return {2, v} end
          redis.call('DEL', KEYS[1], KEYS[2])
          redis.call('SET', KEYS[3], ARGV[5])
          for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
        elseif op == 'add' then
          if redis.call('HSETNX', KEYS[1], ARGV[4], ARGV[5]) == 0 then return {2, v} end
        elseif op == 'update' then
          if redis.call('HEXISTS', KEYS[1], ARGV[4]) == 0 then return {1, v} end
          redis.call('HSET', KEYS[1], ARGV[4], ARGV[5])
        elseif op == 'remove' then
          if redis.call('HDEL', KEYS[1], ARGV[4]) == 0 then return {1, v} end
        elseif op == 'policy' then
          redis.call('SET', KEYS[3], ARGV[5])
        elseif op == 'key-policy' then
          redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
        elseif op == 'key-policy-remove' then
          if redis.call('HDEL', KEYS[2], ARGV[4]) == 0 then return {1, v} end
        else
          return redis.error_reply('unknown registry op ' .. op)
        end
        v = redis.call('INCR', KEYS[4])
        redis.call('PUBLISH', ARGV[3], v)
        return {0, v}
        """;

    private const string ReadScript = """
        return { redis.call('GET', KEYS[4]) or '0', redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[3]) or '', redis.call('HGETALL', KEYS[2]) }
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeyspace _keys;
    private readonly RedisKey[] _scriptKeys;
    private readonly RedisChannel _channel;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private ArmRegistrySnapshot _current = ArmRegistrySnapshot.Empty;
    private Task? _refreshLoop;
    private int _disposed;
    private RedisValue[]? _pendingSeed;

    /// <summary>Creates the store over the shared multiplexer; call <see cref="StartAsync"/> to load and listen.</summary>
    public RedisArmRegistryStore(
        IConnectionMultiplexer redis,
        IOptions<RedisStateOptions> redisOptions,
        IOptions<LearningStateOptions> options,
        TimeProvider timeProvider,
        ILogger<RedisArmRegistryStore> logger)
    {
        ArgumentNullException.ThrowIfNull(redisOptions);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _keys = new RedisKeyspace(redisOptions.Value.KeyPrefix);
        _scriptKeys = [_keys.Arms, _keys.KeyPolicies, _keys.GlobalPolicy, _keys.RegistryVersion];
        _channel = RedisChannel.Literal(_keys.RegistryChannel);
        _refreshInterval = options.Value.RegistryRefreshInterval;
    }

    /// <inheritdoc />
    public ArmRegistrySnapshot Current => Volatile.Read(ref _current);

    /// <inheritdoc />
    public event EventHandler<ArmRegistrySnapshot>? Changed;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_refreshLoop is not null)
            {
                return;
            }

            _refreshLoop = Task.Run(() => RefreshLoopAsync(_stopping.Token), CancellationToken.None);
        }

        try
        {
            await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnAnnounced(message)).ConfigureAwait(false);
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCalls.IsTransient(ex) || ex is StateStoreUnavailableException)
        {
            // Redis down at start: keep version 0 (the caller falls back to configuration); the loop retries.
            StateLog.RegistryRefreshFailed(_logger, Current.Version, ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ArmRegistrySnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var raw = await RedisCalls.Run(
            () => _redis.GetDatabase().ScriptEvaluateAsync(ReadScript, _scriptKeys),
            "registry read").ConfigureAwait(false);
        return Publish(Parse((RedisResult[])raw!), allowOlder: false);
    }

    /// <inheritdoc />
    public async ValueTask<ArmDefinition?> FindArmAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var arm = Current.FindArm(name);
        if (arm is not null)
        {
            return arm;
        }

        return (await RefreshAsync(cancellationToken).ConfigureAwait(false)).FindArm(name);
    }

    /// <inheritdoc />
    /// <remarks>When Redis is unreachable this throws <see cref="StateStoreUnavailableException"/> and remembers the
    /// seed; the refresh loop applies it once Redis is back (a no-op if another replica seeded first).</remarks>
    public async ValueTask<RegistryChangeResult> SeedAsync(IReadOnlyList<ArmDefinition> arms, RoutingPolicy globalPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(globalPolicy);
        RegistryArgs.CheckArms(arms);
        var args = new List<RedisValue> { "seed", "", _keys.RegistryChannel, "", StateJson.Serialize(globalPolicy) };
        foreach (var arm in arms)
        {
            args.Add(arm.Name);
            args.Add(StateJson.Serialize(arm));
        }

        try
        {
            return await ChangeAsync([.. args], cancellationToken).ConfigureAwait(false);
        }
        catch (StateStoreUnavailableException)
        {
            // Redis down at start-up: the refresh loop seeds as soon as it is back (unless someone else did).
            Volatile.Write(ref _pendingSeed, [.. args]);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> AddArmAsync(ArmDefinition arm, CancellationToken cancellationToken)
    {
        RegistryArgs.CheckArm(arm);
        return ChangeAsync(["add", "", _keys.RegistryChannel, arm.Name, StateJson.Serialize(arm)], cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> UpdateArmAsync(ArmDefinition arm, long? expectedVersion, CancellationToken cancellationToken)
    {
        RegistryArgs.CheckArm(arm);
        return ChangeAsync(["update", Expected(expectedVersion), _keys.RegistryChannel, arm.Name, StateJson.Serialize(arm)], cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> RemoveArmAsync(string name, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ChangeAsync(["remove", Expected(expectedVersion), _keys.RegistryChannel, name, ""], cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> SetGlobalPolicyAsync(RoutingPolicy policy, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return ChangeAsync(["policy", Expected(expectedVersion), _keys.RegistryChannel, "", StateJson.Serialize(policy)], cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RegistryChangeResult> SetKeyPolicyAsync(string apiKeyId, RoutingPolicy? policy, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKeyId);
        return policy is null
            ? ChangeAsync(["key-policy-remove", Expected(expectedVersion), _keys.RegistryChannel, apiKeyId, ""], cancellationToken)
            : ChangeAsync(["key-policy", Expected(expectedVersion), _keys.RegistryChannel, apiKeyId, StateJson.Serialize(policy)], cancellationToken);
    }

    /// <summary>Stops the refresh loop and the subscription.</summary>
    public async ValueTask DisposeAsync()
    {
        // DI may dispose us twice (registered as the concrete type and behind the interface).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refreshLoop is not null)
        {
            await _refreshLoop.ConfigureAwait(false);
        }

        try
        {
            await _redis.GetSubscriber().UnsubscribeAsync(_channel).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCalls.IsTransient(ex) || ex is ObjectDisposedException)
        {
            // Shutting down anyway.
        }

        _stopping.Dispose();
    }

    private static RedisValue Expected(long? version) => version is { } v ? v : RedisValue.EmptyString;

    private async ValueTask<RegistryChangeResult> ChangeAsync(RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var raw = await RedisCalls.Run(
            () => _redis.GetDatabase().ScriptEvaluateAsync(ChangeScript, _scriptKeys, args),
            "registry change").ConfigureAwait(false);
        var parts = (RedisResult[])raw!;
        var result = new RegistryChangeResult((RegistryChangeStatus)(int)parts[0], (long)parts[1]);
        if (result.Applied || result.Version != Current.Version)
        {
            // Read-your-writes on this replica without waiting for our own pub/sub message.
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private static ArmRegistrySnapshot Parse(RedisResult[] parts)
    {
        var version = long.Parse((string)parts[0]!, System.Globalization.CultureInfo.InvariantCulture);
        var armFields = (RedisResult[])parts[1]!;
        var arms = new List<ArmDefinition>(armFields.Length / 2);
        for (var i = 0; i + 1 < armFields.Length; i += 2)
        {
            arms.Add(StateJson.ReadArm((string)armFields[i + 1]!));
        }

        var policyJson = (string?)parts[2];
        var keyFields = (RedisResult[])parts[3]!;
        var keyPolicies = new Dictionary<string, RoutingPolicy>(keyFields.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < keyFields.Length; i += 2)
        {
            keyPolicies[(string)keyFields[i]!] = StateJson.ReadPolicy((string)keyFields[i + 1]!);
        }

        return new ArmRegistrySnapshot
        {
            Version = version,
            Arms = arms.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray(),
            GlobalPolicy = string.IsNullOrEmpty(policyJson) ? RoutingPolicy.Default : StateJson.ReadPolicy(policyJson),
            KeyPolicies = keyPolicies.ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    // Installs a newer snapshot (never an older one: refreshes may finish out of order) and announces it.
    private ArmRegistrySnapshot Publish(ArmRegistrySnapshot loaded, bool allowOlder)
    {
        lock (_gate)
        {
            var current = _current;
            // Concurrent refreshes may finish out of order: keep the newest. Only the periodic check may go back
            // (the store was reset, e.g. FLUSHALL), and only from a read it made itself just now.
            if (loaded.Version == current.Version || (loaded.Version < current.Version && !allowOlder))
            {
                return current;
            }

            Volatile.Write(ref _current, loaded);
        }

        StateLog.RegistryChanged(_logger, loaded.Version, loaded.Arms.Count);
        try
        {
            Changed?.Invoke(this, loaded);
        }
        catch (Exception ex)
        {
            StateLog.RegistryHandlerFailed(_logger, ex);
        }

        return loaded;
    }

    private void OnAnnounced(RedisValue message)
    {
        // Reload only when the announced version is news; fire and forget (errors are logged inside).
        if (long.TryParse((string?)message, out var version) && version != Current.Version)
        {
            _ = RefreshQuietlyAsync(_stopping.Token);
        }
    }

    private async Task RefreshQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StateStoreUnavailableException ex)
        {
            StateLog.RegistryRefreshFailed(_logger, Current.Version, ex);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_refreshInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                if (Volatile.Read(ref _pendingSeed) is { } seed)
                {
                    await ChangeAsync(seed, cancellationToken).ConfigureAwait(false);
                    Interlocked.CompareExchange(ref _pendingSeed, null, seed);
                }

                var version = await RedisCalls.Run(
                    () => _redis.GetDatabase().StringGetAsync(_keys.RegistryVersion),
                    "registry version").ConfigureAwait(false);
                var stored = version.IsNull ? 0 : (long)version;
                if (stored != Current.Version)
                {
                    var raw = await RedisCalls.Run(
                        () => _redis.GetDatabase().ScriptEvaluateAsync(ReadScript, _scriptKeys),
                        "registry read").ConfigureAwait(false);
                    Publish(Parse((RedisResult[])raw!), allowOlder: true);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (StateStoreUnavailableException ex)
            {
                StateLog.RegistryRefreshFailed(_logger, Current.Version, ex);
            }
        }
    }
}
