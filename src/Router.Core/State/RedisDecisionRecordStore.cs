using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// Decision records in Redis (<c>prefix:decision:&lt;request id&gt;</c>, SET with expiry), readable from every
/// replica. While Redis is unreachable a record is kept in this replica's memory instead (logged), so routing
/// never fails on it and feedback that comes back to the same replica still lands. Thread-safe.
/// </summary>
public sealed class RedisDecisionRecordStore : IDecisionRecordStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeyspace _keys;
    private readonly TimeSpan _defaultTtl;
    private readonly InProcessDecisionRecordStore _local;
    private readonly ILogger _logger;

    /// <summary>Creates the store over the shared multiplexer.</summary>
    public RedisDecisionRecordStore(
        IConnectionMultiplexer redis,
        IOptions<RedisStateOptions> redisOptions,
        IOptions<LearningStateOptions> options,
        TimeProvider timeProvider,
        ILogger<RedisDecisionRecordStore> logger)
    {
        ArgumentNullException.ThrowIfNull(redisOptions);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _keys = new RedisKeyspace(redisOptions.Value.KeyPrefix);
        _defaultTtl = options.Value.DecisionRecordTtl;
        _local = new InProcessDecisionRecordStore(options, timeProvider);
    }

    /// <inheritdoc />
    public ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        SetAsync(requestId, record, _defaultTtl, cancellationToken);

    /// <inheritdoc />
    public async ValueTask SetAsync(string requestId, ReadOnlyMemory<byte> record, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await RedisCalls.Run(
                () => _redis.GetDatabase().StringSetAsync(_keys.Decision(requestId), record, ttl),
                "decision record write").ConfigureAwait(false);
        }
        catch (StateStoreUnavailableException ex)
        {
            StateLog.DecisionStoredLocally(_logger, requestId, ex);
            await _local.SetAsync(requestId, record, ttl, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        cancellationToken.ThrowIfCancellationRequested();
        var local = await _local.GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (local is not null)
        {
            return local;
        }

        var value = await RedisCalls.Run(
            () => _redis.GetDatabase().StringGetAsync(_keys.Decision(requestId)),
            "decision record read").ConfigureAwait(false);
        return value.IsNull ? null : (byte[])value!;
    }
}
