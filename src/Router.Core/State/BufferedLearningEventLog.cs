using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Router.Core.State;

/// <summary>
/// Degraded mode over the shared log: while it is unreachable, appends go to a bounded local file (one JSON line
/// per event with its idempotency key, fsynced before the append returns <see cref="AppendStatus.Buffered"/>);
/// when it returns, the file is replayed in order and deleted. A replay interrupted half-way is simply repeated:
/// the idempotency keys make the entries already flushed come back as duplicates, so nothing lands twice.
/// Thread-safe. Reads go straight to the inner log.
/// </summary>
/// <remarks>
/// An event acknowledged while degraded is durable on this machine's disk only, until flushed: losing that disk
/// (or the container without a volume at <see cref="LearningStateOptions.BufferDirectory"/>) loses it. A buffer
/// left by a crash is found at start-up and flushed. While the buffer holds anything, new events are buffered
/// too, so the log keeps this replica's order.
/// </remarks>
public sealed class BufferedLearningEventLog : ILearningEventLog, IDisposable
{
    /// <summary>The buffer's file name inside <see cref="LearningStateOptions.BufferDirectory"/>.</summary>
    public const string BufferFileName = "learning-events.buffer.jsonl";

    /// <summary>
    /// Beside the buffer: lines a flush could not parse (a corrupted middle line) are appended here, verbatim, before
    /// the buffer is deleted, so their bytes can still be inspected or repaired by hand. Never read by the gateway.
    /// </summary>
    public const string QuarantineFileName = "learning-events.buffer.quarantine.jsonl";

    private readonly ILearningEventLog _inner;
    private readonly long _maxBytes;
    private readonly TimeSpan _flushInterval;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FileStream? _file;
    private long _bytes;
    private int _count;
    private volatile bool _degraded;
    private DateTimeOffset? _degradedSince;

    /// <summary>Wraps <paramref name="inner"/>; picks up a buffer left by an earlier run.</summary>
    public BufferedLearningEventLog(
        ILearningEventLog inner,
        IOptions<LearningStateOptions> options,
        TimeProvider timeProvider,
        ILogger<BufferedLearningEventLog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _maxBytes = options.Value.BufferMaxBytes;
        _flushInterval = options.Value.BufferFlushInterval;
        var directory = options.Value.EffectiveBufferDirectory;
        Directory.CreateDirectory(directory);
        BufferPath = Path.Combine(directory, BufferFileName);
        QuarantinePath = Path.Combine(directory, QuarantineFileName);
        if (File.Exists(BufferPath) && new FileInfo(BufferPath).Length > 0)
        {
            DropTornTail(BufferPath);
            _bytes = new FileInfo(BufferPath).Length;
            _count = File.ReadLines(BufferPath).Count(l => l.Length > 0);
            _degraded = true;
            _degradedSince = timeProvider.GetUtcNow();
        }
    }

    /// <summary>The buffer file.</summary>
    public string BufferPath { get; }

    /// <summary>Where a flush keeps the buffer lines it could not parse (<see cref="QuarantineFileName"/>).</summary>
    public string QuarantinePath { get; }

    /// <summary>True while events are being buffered locally (report on <c>/health/ready</c> as degraded).</summary>
    public bool IsDegraded => _degraded;

    /// <summary>Events waiting in the local buffer.</summary>
    public int BufferedCount => Volatile.Read(ref _count);

    /// <summary>When the current degraded period began, or null.</summary>
    public DateTimeOffset? DegradedSince => _degradedSince;

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendAsync(string kind, string idempotencyKey, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        StateStoreUnavailableException? failure = null;
        if (!_degraded && InnerLooksAvailable)
        {
            try
            {
                return await _inner.AppendAsync(kind, idempotencyKey, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (StateStoreUnavailableException ex)
            {
                failure = ex;
            }
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_degraded && failure is null && InnerLooksAvailable)
            {
                await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_degraded && failure is null && InnerLooksAvailable)
            {
                try
                {
                    return await _inner.AppendAsync(kind, idempotencyKey, payload, cancellationToken).ConfigureAwait(false);
                }
                catch (StateStoreUnavailableException ex)
                {
                    failure = ex;
                }
            }

            return BufferLocked(kind, idempotencyKey, payload, failure);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replays the buffer into the inner log if there is one and the log is reachable. True when the buffer is
    /// empty afterwards (not degraded).
    /// </summary>
    public async Task<bool> TryFlushAsync(CancellationToken cancellationToken)
    {
        if (!_degraded)
        {
            return true;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            return !_degraded;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Retries the flush every <see cref="LearningStateOptions.BufferFlushInterval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_flushInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                await TryFlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LogEntry>> ReadAfterAsync(LogId after, int maxCount, CancellationToken cancellationToken) =>
        _inner.ReadAfterAsync(after, maxCount, cancellationToken);

    /// <inheritdoc />
    public Task WaitForAppendAsync(LogId after, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inner.WaitForAppendAsync(after, timeout, cancellationToken);

    /// <inheritdoc />
    public ValueTask<LogInfo> GetInfoAsync(CancellationToken cancellationToken) => _inner.GetInfoAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> TrimBeforeAsync(LogId minId, CancellationToken cancellationToken) =>
        _inner.TrimBeforeAsync(minId, cancellationToken);

    /// <summary>Closes the buffer file (its content stays for the next start).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private bool InnerLooksAvailable => _inner is not IAvailabilityProbe probe || probe.IsAvailable;

    private AppendResult BufferLocked(string kind, string idempotencyKey, ReadOnlyMemory<byte> payload, Exception? cause)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(new BufferedEvent(kind, idempotencyKey, payload.ToArray()), StateJson.Options);
        if (_bytes + line.Length + 1 > _maxBytes)
        {
            StateLog.BufferFull(_logger, _bytes, idempotencyKey);
            return new AppendResult(AppendStatus.Rejected, null);
        }

        if (!_degraded)
        {
            _degraded = true;
            _degradedSince = _timeProvider.GetUtcNow();
            StateLog.Degraded(_logger, BufferPath, cause);
        }

        try
        {
            if (_file is null)
            {
                // A write that failed earlier may have left a partial line; cut it so this event is not glued onto it.
                if (File.Exists(BufferPath))
                {
                    DropTornTail(BufferPath);
                }

                _file = new FileStream(BufferPath, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
            }

            _file.Write(line);
            _file.WriteByte((byte)'\n');
            // fsync before acknowledging: the event must survive a crash of this process or machine.
            _file.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            // Disk full or failing: not acknowledged (503). The partial line is cut when the file is next opened (the
            // branch above) or at start-up, so the next acknowledged event never lands on the end of it.
            StateLog.BufferWriteFailed(_logger, BufferPath, idempotencyKey, ex);
            try
            {
                _file?.Dispose();
            }
            catch (IOException)
            {
                // Disposing flushes what the failed write left in the stream's buffer; that fails the same way.
            }

            _file = null;
            return new AppendResult(AppendStatus.Rejected, null);
        }

        _bytes += line.Length + 1;
        Interlocked.Increment(ref _count);
        return new AppendResult(AppendStatus.Buffered, null);
    }

    private async Task FlushLockedAsync(CancellationToken cancellationToken)
    {
        if (!_degraded || !InnerLooksAvailable)
        {
            return;
        }

        _file?.Dispose();
        _file = null;
        var flushed = 0;
        try
        {
            if (File.Exists(BufferPath))
            {
                // Unparsable lines are set aside, not skipped: a torn tail is cut before it can get here (start-up and
                // every write), so a bad line is a corrupted event that was acknowledged, and deleting the buffer
                // would lose its bytes for good. Collected during the pass and written once the whole pass has
                // reached the log, so a flush interrupted and repeated does not quarantine a line twice.
                List<string>? unreadable = null;
                foreach (var line in File.ReadLines(BufferPath, Encoding.UTF8))
                {
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    var e = Parse(line);
                    if (e is null)
                    {
                        (unreadable ??= []).Add(line);
                        continue;
                    }

                    await _inner.AppendAsync(e.Kind, e.IdempotencyKey, e.Payload, cancellationToken).ConfigureAwait(false);
                    flushed++;
                }

                if (unreadable is not null)
                {
                    try
                    {
                        Quarantine(unreadable);
                    }
                    catch (IOException ex)
                    {
                        // Keep the buffer (and stay degraded) rather than delete the only copy of those lines.
                        StateLog.QuarantineFailed(_logger, QuarantinePath, ex);
                        return;
                    }

                    StateLog.BufferLinesQuarantined(_logger, unreadable.Count, QuarantinePath);
                }

                File.Delete(BufferPath);
            }
        }
        catch (StateStoreUnavailableException ex)
        {
            StateLog.FlushFailed(_logger, ex);
            return;
        }

        _bytes = 0;
        Volatile.Write(ref _count, 0);
        _degraded = false;
        _degradedSince = null;
        StateLog.Flushed(_logger, flushed);
    }

    private void Quarantine(List<string> lines)
    {
        using var file = new FileStream(QuarantinePath, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }

    // A crash mid-write leaves a last line without its newline; it was never acknowledged. Cut it off, or the
    // next buffered event would be glued onto it and lost with it.
    private static void DropTornTail(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var end = file.Length;
        var buffer = new byte[4096];
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            file.Position = start;
            file.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1, (int)(end - start));
            if (newline >= 0)
            {
                end = start + newline + 1;
                break;
            }

            end = start;
        }

        if (end != file.Length)
        {
            file.SetLength(end);
            file.Flush(flushToDisk: true);
        }
    }

    private static BufferedEvent? Parse(string line)
    {
        try
        {
            var e = JsonSerializer.Deserialize<BufferedEvent>(line, StateJson.Options);
            return e is { Kind.Length: > 0, IdempotencyKey.Length: > 0 } ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record BufferedEvent(string Kind, string IdempotencyKey, byte[] Payload);
}
