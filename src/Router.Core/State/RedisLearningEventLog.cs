using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// The learning event log as a Redis Stream (<c>{prefix}:events</c>; fields <c>k</c> kind, <c>i</c> idempotency
/// key, <c>p</c> payload). Thread-safe; uses the shared multiplexer.
/// </summary>
/// <remarks>
/// <para>Append is one Lua script, so dedupe and append are atomic: GET the idempotency key; if present return the
/// original id; else XADD, SET the key (with the idempotency window as TTL) to the new id, PUBLISH the id. A
/// retry racing the original therefore sees exactly one entry.</para>
/// <para>The call returns once Redis executed the script; with <c>appendfsync always</c> Redis writes and fsyncs
/// the AOF before it replies, so an acknowledged append survives a Redis crash (<c>everysec</c>: up to ~1 s may be lost).</para>
/// <para>Followers poll with XRANGE (StackExchange.Redis multiplexes one connection, so it never issues a blocking
/// XREAD) and are woken early by the PUBLISH; a lost message costs at most one poll interval.</para>
/// </remarks>
public sealed class RedisLearningEventLog : ILearningEventLog, IAvailabilityProbe
{
    private const string AppendScript = """
        local existing = redis.call('GET', KEYS[2])
        if existing then return {0, existing} end
        local id = redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'i', ARGV[2], 'p', ARGV[3])
        redis.call('SET', KEYS[2], id, 'PX', ARGV[4])
        redis.call('PUBLISH', ARGV[5], id)
        return {1, id}
        """;

    // Trim exactly (no '~'), and remember the highest trim point so followers can detect a gap.
    private const string TrimScript = RedisLua.LogIdBefore + """
        local current = redis.call('GET', KEYS[2])
        if current and not before(current, ARGV[1]) then return 0 end
        redis.call('SET', KEYS[2], ARGV[1])
        return redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeyspace _keys;
    private readonly TimeProvider _timeProvider;
    private readonly long _idempotencyWindowMs;
    private readonly AppendSignal _signal = new();
    private readonly RedisChannel _channel;
    private readonly Lock _headGate = new();
    private LogId _head;

    /// <summary>Creates the log over the shared multiplexer and subscribes to append notifications.</summary>
    public RedisLearningEventLog(
        IConnectionMultiplexer redis,
        IOptions<RedisStateOptions> redisOptions,
        IOptions<LearningStateOptions> options,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(redisOptions);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _keys = new RedisKeyspace(redisOptions.Value.KeyPrefix);
        _idempotencyWindowMs = (long)options.Value.IdempotencyWindow.TotalMilliseconds;
        _channel = RedisChannel.Literal(_keys.EventsChannel);
        // Fire and forget: StackExchange.Redis re-subscribes after reconnects; until then the poll interval covers.
        _ = SubscribeAsync();
    }

    /// <inheritdoc />
    bool IAvailabilityProbe.IsAvailable => _redis.IsConnected;

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendAsync(string kind, string idempotencyKey, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var result = await RedisCalls.Run(
            () => db.ScriptEvaluateAsync(
                AppendScript,
                [_keys.Events, _keys.Idempotency(idempotencyKey)],
                [kind, idempotencyKey, payload, _idempotencyWindowMs, _keys.EventsChannel]),
            "append").ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var id = LogId.Parse((string)parts[1]!);
        return new AppendResult((int)parts[0] == 1 ? AppendStatus.Appended : AppendStatus.Duplicate, id);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LogEntry>> ReadAfterAsync(LogId after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        // "(id" is XRANGE's exclusive start (Redis 6.2+).
        var raw = await RedisCalls.Run(
            () => db.StreamRangeAsync(_keys.Events, "(" + after.ToString(), "+", maxCount),
            "read").ConfigureAwait(false);
        var entries = new LogEntry[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            var e = raw[i];
            entries[i] = new LogEntry(LogId.Parse((string)e.Id!), (string)e["k"]!, (string)e["i"]!, (byte[])e["p"]! ?? []);
        }

        if (entries.Length > 0)
        {
            NoteHead(entries[^1].Id);
        }

        return entries;
    }

    /// <inheritdoc />
    public Task WaitForAppendAsync(LogId after, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pulse = _signal.Current;
        return Head > after ? Task.CompletedTask : AppendSignal.WaitAsync(pulse, timeout, _timeProvider, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<LogInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var lengthTask = db.StreamLengthAsync(_keys.Events);
        var lastTask = db.StreamRangeAsync(_keys.Events, "-", "+", 1, Order.Descending);
        var trimmedTask = db.StringGetAsync(_keys.EventsTrimmedBefore);
        var length = await RedisCalls.Run(() => lengthTask, "info").ConfigureAwait(false);
        var last = await RedisCalls.Run(() => lastTask, "info").ConfigureAwait(false);
        var trimmed = await RedisCalls.Run(() => trimmedTask, "info").ConfigureAwait(false);
        var lastId = last.Length == 0 ? LogId.Zero : LogId.Parse((string)last[0].Id!);
        NoteHead(lastId);
        return new LogInfo(length, lastId, trimmed.IsNullOrEmpty ? LogId.Zero : LogId.Parse((string)trimmed!));
    }

    /// <inheritdoc />
    public async ValueTask<long> TrimBeforeAsync(LogId minId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase();
        var removed = await RedisCalls.Run(
            () => db.ScriptEvaluateAsync(TrimScript, [_keys.Events, _keys.EventsTrimmedBefore], [minId.ToString()]),
            "trim").ConfigureAwait(false);
        return (long)removed;
    }

    private LogId Head
    {
        get
        {
            lock (_headGate)
            {
                return _head;
            }
        }
    }

    private void NoteHead(LogId id)
    {
        lock (_headGate)
        {
            _head = LogId.Max(_head, id);
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
            {
                if (LogId.TryParse(message, out var id))
                {
                    NoteHead(id);
                }

                _signal.Pulse();
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCalls.IsTransient(ex))
        {
            // Polling still works; the multiplexer retries the subscription when it reconnects.
        }
    }
}
