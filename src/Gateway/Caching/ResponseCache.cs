using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Router.Core.State;
using Router.Gateway.Forwarding;
using Router.Core.Decision;
using Router.Core.Embedding;
using StackExchange.Redis;
using Router.Gateway.Pipeline;

namespace Router.Gateway.Caching;

/// <summary>
/// The exact-match response cache (<see cref="ResponseCacheOptions"/>): decides per request whether to read and store
/// (<see cref="Plan"/>), looks answers up (<see cref="GetAsync"/>) and stores successful ones (<see cref="StoreAsync"/>).
/// Two tiers: this process's memory (bounded by <see cref="ResponseCacheOptions.MemoryLimitBytes"/>), in front of Redis
/// when <c>Router:Redis:Configuration</c> is set (the state layer's one multiplexer, shared by the replicas). A Redis
/// failure is logged and is a miss (read) or a local-only entry (write), never an error for the client: the
/// multiplexer fails fast while disconnected, and otherwise its own timeouts bound the wait. Thread-safe singleton.
/// </summary>
public sealed class ResponseCache : IDisposable
{
    private readonly ResponseCacheOptions _options;
    private readonly MemoryCache? _memory;
    private readonly IConnectionMultiplexer? _redis;
    private readonly string _redisPrefix;
    private readonly TimeProvider _time;
    private readonly ILogger<ResponseCache> _logger;
    private readonly Lazy<string> _routingModel;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Creates the cache (DI); the Redis multiplexer is resolved only when the cache is on and the state layer is on Redis.</summary>
    public ResponseCache(IOptions<ResponseCacheOptions> options, IOptions<RedisStateOptions> redisOptions, IServiceProvider services, TimeProvider time, ILogger<ResponseCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redisOptions);
        ArgumentNullException.ThrowIfNull(services);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _redisPrefix = redisOptions.Value.KeyPrefix + ":cache:";

        // Resolved on first use: the engine (with the learning layer) is built after the proxy; hosts without it share "".
        // The running encoder, not only the checkpoint's: after a precision switch they differ.
        _routingModel = new(() => services.GetService<MixLlmEngine>() is { } engine
            ? ResponseCacheKey.RoutingModelIdentity(engine, services.GetService<ITextEncoder>()?.ModelId)
            : "");
        if (!_options.Enabled)
        {
            return;
        }

        // MemoryCache on the gateway's clock (STYLE.md #4), so expiry follows the same time as StoredAt.
        _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.MemoryLimitBytes, Clock = new Clock(time) });
        if (redisOptions.Value.Enabled && _options.UseRedis)
        {
            _redis = services.GetRequiredService<IConnectionMultiplexer>();
        }

        CacheLog.Enabled(logger, _options.Ttl, _options.MaxEntryBytes, _redis is null ? "in process" : "in process and Redis (shared by the replicas)");
    }

    /// <summary>Whether the cache is on.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>The options (read once at start).</summary>
    public ResponseCacheOptions Options => _options;

    /// <summary>
    /// What to do for a request: off (cache disabled); bypass for a stream, <c>Cache-Control: no-store</c> or
    /// <c>x-router-debug: 1</c> (a hit has no fresh decision to show); otherwise a miss-until-found with the key,
    /// read unless <c>Cache-Control: no-cache</c>.
    /// </summary>
    public ResponseCachePlan Plan(HttpRequest request, GatewayRequest parsed, string? apiKeyId, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parsed);
        if (!_options.Enabled)
        {
            return ResponseCachePlan.Off;
        }

        var (noCache, noStore) = CacheControl(request.Headers.CacheControl);
        if (parsed.Stream || noStore || request.Headers[RouterHeaders.Debug] == "1")
        {
            return ResponseCachePlan.Bypass;
        }

        var key = ResponseCacheKey.Compute(parsed.Operation, apiKeyId, parsed.RequestPolicy, body, _routingModel.Value);
        return new ResponseCachePlan(ResponseCacheStatus.Miss, key, Read: !noCache, Store: true);
    }

    /// <summary>
    /// Request coalescing (<see cref="ResponseCacheOptions.Coalesce"/>): the first request for <paramref name="key"/>
    /// gets a lead to hold until its answer is stored or it failed (dispose it: the waiters are released then); an
    /// identical request arriving meanwhile waits for that, at most <see cref="ResponseCacheOptions.CoalesceMaxWait"/>,
    /// and gets <c>Waited</c> (it then reads the cache again, and goes upstream itself on a miss). Neither when
    /// coalescing is off.
    /// </summary>
    internal async Task<(IDisposable? Lead, bool Waited)> LeadOrWaitAsync(string key, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_options.Enabled || !_options.Coalesce)
        {
            return (null, false);
        }

        var lead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = _inFlight.GetOrAdd(key, lead);
        if (ReferenceEquals(current, lead))
        {
            return (new Lead(this, key, lead), false);
        }

        CacheLog.Coalescing(_logger, requestId);
        try
        {
            await current.Task.WaitAsync(_options.CoalesceMaxWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            CacheLog.CoalesceTimedOut(_logger, requestId, _options.CoalesceMaxWait);
        }

        return (null, true);
    }

    /// <summary>A capture buffer for a request whose answer may be stored.</summary>
    internal ResponseCapture NewCapture() => new(_options.MaxEntryBytes);

    /// <summary>The stored answer for <paramref name="key"/>, or null (absent, expired, or Redis failed).</summary>
    public async ValueTask<CachedResponse?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_memory is null)
        {
            return null;
        }

        if (_memory.TryGetValue(key, out CachedResponse? local) && local is not null)
        {
            return local;
        }

        if (_redis is null)
        {
            return null;
        }

        RedisValue value;
        try
        {
            value = await _redis.GetDatabase().StringGetAsync(_redisPrefix + key).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CacheLog.ReadFailed(_logger, ex.GetType().Name, ex);
            return null;
        }

        if (value.IsNull)
        {
            return null;
        }

        var entry = CachedResponse.FromBytes((byte[])value!);
        if (entry is null)
        {
            CacheLog.Unreadable(_logger);
            return null;
        }

        var expires = entry.StoredAt + _options.Ttl;
        if (expires <= _time.GetUtcNow())
        {
            return null;
        }

        Remember(key, entry, expires);
        return entry;
    }

    /// <summary>Stores an answer in memory and, with Redis, for the other replicas (a Redis failure is logged only).</summary>
    public async ValueTask StoreAsync(string key, CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        if (_memory is null)
        {
            return;
        }

        Remember(key, entry, entry.StoredAt + _options.Ttl);
        if (_redis is null)
        {
            return;
        }

        try
        {
            // The request is already answered: no client token to honour; the multiplexer's timeouts bound this.
            await _redis.GetDatabase().StringSetAsync(_redisPrefix + key, entry.ToBytes(), _options.Ttl);
        }
        catch (Exception ex)
        {
            CacheLog.WriteFailed(_logger, ex.GetType().Name, ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _memory?.Dispose();

    /// <summary>The <c>no-cache</c> and <c>no-store</c> directives of a <c>Cache-Control</c> request header (RFC 9111 §5.2.1).</summary>
    internal static (bool NoCache, bool NoStore) CacheControl(Microsoft.Extensions.Primitives.StringValues values)
    {
        var noCache = false;
        var noStore = false;
        foreach (var value in values)
        {
            foreach (var directive in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // A directive may carry an argument (no-cache="field"); the name is what counts here.
                var name = directive.AsSpan();
                var equals = name.IndexOf('=');
                if (equals >= 0)
                {
                    name = name[..equals].TrimEnd();
                }

                noCache |= name.Equals("no-cache", StringComparison.OrdinalIgnoreCase);
                noStore |= name.Equals("no-store", StringComparison.OrdinalIgnoreCase);
            }
        }

        return (noCache, noStore);
    }

    private void Remember(string key, CachedResponse entry, DateTimeOffset expires)
    {
        if (expires <= _time.GetUtcNow())
        {
            return;
        }

        using var cacheEntry = _memory!.CreateEntry(key);
        cacheEntry.Value = entry;
        // The body dominates; the decision copy (embedding, names) is counted roughly so small answers are not free.
        cacheEntry.Size = entry.Body.Length + (entry.Embedding.Length * sizeof(float)) + 256;
        cacheEntry.AbsoluteExpiration = expires;
    }

    private sealed class Clock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }

    // The first of identical requests in flight; disposing it (after the store, or on any failure) releases the waiters.
    private sealed class Lead(ResponseCache cache, string key, TaskCompletionSource done) : IDisposable
    {
        public void Dispose()
        {
            cache._inFlight.TryRemove(KeyValuePair.Create(key, done));
            done.TrySetResult();
        }
    }
}
