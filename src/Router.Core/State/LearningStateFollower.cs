using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Router.Core.State;

/// <summary>
/// The fold driver: restores the newest snapshot, replays the log after it in order, then follows new entries,
/// applying each exactly once through <see cref="ILearningStateFold"/>. Every replica runs one, so all replicas
/// fold the same sequence and converge on bit-identical state. Also takes periodic snapshots (by
/// <see cref="ILearningStateFold.Serialize"/>, between two applies, so state and position match) and trims the log
/// behind the oldest kept snapshot minus <see cref="LearningStateOptions.TrimMargin"/>.
/// </summary>
/// <remarks>Thread-safe: the fold is called under one async lock; the status properties may be read from any thread.</remarks>
public sealed partial class LearningStateFollower
{
    private static readonly TimeSpan GapCheckInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly ILearningEventLog _log;
    private readonly ISnapshotStore _snapshots;
    private readonly ILearningStateFold _fold;
    private readonly LearningStateOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _foldGate = new(1, 1);
    private readonly AppendSignal _applied = new();
    private readonly Lock _statusGate = new();
    private LogId _lastApplied;
    private LogId? _lastSnapshot;
    private bool _initialized;
    private bool _caughtUp;
    private TimeSpan _lag;
    private long _appliedCount;
    private long _failedCount;
    private long _sinceSnapshot;
    private DateTimeOffset _lastSnapshotAt;
    private DateTimeOffset _lastGapCheck;

    /// <summary>Creates a follower; nothing happens until <see cref="CatchUpAsync"/> or <see cref="RunAsync"/>.</summary>
    public LearningStateFollower(
        ILearningEventLog log,
        ISnapshotStore snapshots,
        ILearningStateFold fold,
        IOptions<LearningStateOptions> options,
        TimeProvider timeProvider,
        ILogger<LearningStateFollower> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _fold = fold ?? throw new ArgumentNullException(nameof(fold));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options.Value;
        _lastSnapshotAt = timeProvider.GetUtcNow();
    }

    /// <summary>The last entry folded into the state (<see cref="LogId.Zero"/> before any).</summary>
    public LogId LastAppliedId
    {
        get
        {
            lock (_statusGate)
            {
                return _lastApplied;
            }
        }
    }

    /// <summary>True once the follower has read to the end of the log at least once (use for readiness).</summary>
    public bool IsCaughtUp => Volatile.Read(ref _caughtUp);

    /// <summary>How far behind the log the state is, in append time (zero when caught up).</summary>
    public TimeSpan Lag
    {
        get
        {
            lock (_statusGate)
            {
                return _lag;
            }
        }
    }

    /// <summary>Entries applied by this follower since it started (restored snapshots not counted).</summary>
    public long AppliedCount => Interlocked.Read(ref _appliedCount);

    /// <summary>Entries whose <see cref="ILearningStateFold.Apply"/> threw and that were skipped.</summary>
    public long FailedCount => Interlocked.Read(ref _failedCount);

    /// <summary>The position of the last snapshot this follower saved, if any.</summary>
    public LogId? LastSnapshotId
    {
        get
        {
            lock (_statusGate)
            {
                return _lastSnapshot;
            }
        }
    }

    /// <summary>
    /// Restores the newest snapshot on the first call, then applies every entry in the log now. Returns when the
    /// read reaches the end. Throws <see cref="StateStoreUnavailableException"/> when the store is unreachable.
    /// </summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        while (await StepAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    /// <summary>
    /// Catches up, then follows the log until cancelled, snapshotting and trimming as configured. Survives store
    /// outages (retries with backoff up to 5 s). Returns when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
                var more = await StepAsync(cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(100);
                if (!more)
                {
                    await CheckForGapAsync(force: false, cancellationToken).ConfigureAwait(false);
                    await _log.WaitForAppendAsync(LastAppliedId, _options.FollowPollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StateStoreUnavailableException ex)
            {
                StateLog.FollowUnavailable(_logger, delay, ex);
                try
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Waits until the state includes <paramref name="id"/> (read-your-writes after an append). False on timeout.</summary>
    public async Task<bool> WaitForAsync(LogId id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            var pulse = _applied.Current;
            if (LastAppliedId >= id)
            {
                return true;
            }

            var left = deadline - _timeProvider.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await AppendSignal.WaitAsync(pulse, left, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _initialized))
        {
            return;
        }

        await _foldGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var snapshot = await RestoreNewestLockedAsync(after: null, cancellationToken).ConfigureAwait(false);
            if (snapshot is null)
            {
                _fold.Restore(null);
            }

            lock (_statusGate)
            {
                _lastApplied = snapshot?.LastAppliedId ?? LogId.Zero;
                _lastSnapshot = snapshot?.LastAppliedId;
            }

            if (snapshot is null)
            {
                StateLog.NoSnapshot(_logger);
            }
            else
            {
                StateLog.RestoredSnapshot(_logger, snapshot.LastAppliedId);
            }

            Volatile.Write(ref _initialized, true);
        }
        finally
        {
            _foldGate.Release();
        }

        await CheckForGapAsync(force: true, cancellationToken).ConfigureAwait(false);
    }

    // Reads and applies one batch; true when the batch was full (more may be waiting).
    private async Task<bool> StepAsync(CancellationToken cancellationToken)
    {
        var batchSize = _options.FollowBatchSize;
        bool full;
        await _foldGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = await _log.ReadAfterAsync(_lastApplied, batchSize, cancellationToken).ConfigureAwait(false);
            // Another replica may have trimmed past us since the last gap check (we were slow, cut off from the store,
            // or idle between CatchUpAsync calls): the read then starts after the hole and applying it would skip the
            // trimmed entries for good. The trim marker is read AFTER the range (it only grows, and the trim script sets
            // it before XTRIM), so a marker at or below our position proves the range started right after us.
            if (batch.Count > 0 && batch[0].Id > _lastApplied.Next)
            {
                var info = await _log.GetInfoAsync(cancellationToken).ConfigureAwait(false);
                if (info.TrimmedBefore > _lastApplied.Next
                    && await ReloadAfterGapLockedAsync(info.TrimmedBefore, cancellationToken).ConfigureAwait(false))
                {
                    return true; // read again from the snapshot's position
                }
            }

            foreach (var entry in batch)
            {
                if (entry.Id <= _lastApplied)
                {
                    continue; // never apply twice, whatever the store returns
                }

                try
                {
                    _fold.Apply(entry);
                    Interlocked.Increment(ref _appliedCount);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.Increment(ref _failedCount);
                    StateLog.ApplyFailed(_logger, entry.Id, entry.Kind, ex);
                }

                lock (_statusGate)
                {
                    _lastApplied = entry.Id;
                }

                _sinceSnapshot++;
            }

            full = batch.Count >= batchSize;
            var lag = full && batch.Count > 0 ? _timeProvider.GetUtcNow() - batch[^1].Id.Timestamp : TimeSpan.Zero;
            lock (_statusGate)
            {
                _lag = lag < TimeSpan.Zero ? TimeSpan.Zero : lag;
            }

            if (!full)
            {
                Volatile.Write(ref _caughtUp, true);
            }
        }
        finally
        {
            _foldGate.Release();
        }

        _applied.Pulse();
        await MaybeSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return full;
    }
}
