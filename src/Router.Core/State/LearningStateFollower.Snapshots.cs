namespace Router.Core.State;

// The snapshot side of LearningStateFollower: periodic and on-demand snapshots (taken between two applies, so state
// and position match), log trimming behind the oldest kept snapshot, and recovery when another replica trimmed past
// this one's position (restore a newer snapshot that contains the trimmed entries). Catch-up and follow: the main file.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public sealed partial class LearningStateFollower
{
    /// <summary>
    /// Serialises the state now and saves it with its position (skipped when nothing was applied since the last
    /// snapshot); then trims the log if <see cref="LearningStateOptions.TrimAfterSnapshot"/>. True when saved.
    /// </summary>
    public async Task<bool> SnapshotNowAsync(CancellationToken cancellationToken)
    {
        StateSnapshot snapshot;
        await _foldGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized || _lastApplied == LogId.Zero || _lastApplied == _lastSnapshot)
            {
                return false;
            }

            snapshot = new StateSnapshot(_fold.Serialize().ToArray(), _lastApplied, _timeProvider.GetUtcNow());
            _sinceSnapshot = 0;
            _lastSnapshotAt = snapshot.CreatedAt;
        }
        finally
        {
            _foldGate.Release();
        }

        var saved = await _snapshots.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
        lock (_statusGate)
        {
            _lastSnapshot = snapshot.LastAppliedId;
        }

        if (_options.TrimAfterSnapshot)
        {
            var oldest = await _snapshots.GetOldestRetainedAsync(cancellationToken).ConfigureAwait(false);
            if (oldest is { } keep)
            {
                var marginMs = (ulong)_options.TrimMargin.TotalMilliseconds;
                var minId = keep.Milliseconds > marginMs ? new LogId(keep.Milliseconds - marginMs, 0) : LogId.Zero;
                var removed = minId == LogId.Zero ? 0 : await _log.TrimBeforeAsync(minId, cancellationToken).ConfigureAwait(false);
                StateLog.SnapshotSaved(_logger, snapshot.LastAppliedId, minId, removed);
            }
        }

        return saved;
    }

    private async Task MaybeSnapshotAsync(CancellationToken cancellationToken)
    {
        var due = _sinceSnapshot >= _options.SnapshotEveryEntries
            || (_sinceSnapshot > 0 && _timeProvider.GetUtcNow() - _lastSnapshotAt >= _options.SnapshotInterval);
        if (!due)
        {
            return;
        }

        try
        {
            await SnapshotNowAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StateStoreUnavailableException ex)
        {
            StateLog.SnapshotFailed(_logger, ex);
        }
    }

    // If another replica trimmed the log past our position, the entries in between are gone: reload a newer
    // snapshot (it already contains them) rather than silently skipping them.
    private async Task CheckForGapAsync(bool force, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (!force && now - _lastGapCheck < GapCheckInterval)
        {
            return;
        }

        _lastGapCheck = now;
        var info = await _log.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var applied = LastAppliedId;
        if (info.TrimmedBefore <= applied.Next)
        {
            return;
        }

        await _foldGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (info.TrimmedBefore > _lastApplied.Next)
            {
                await ReloadAfterGapLockedAsync(info.TrimmedBefore, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _foldGate.Release();
        }
    }

    // Caller holds the fold gate. True when a newer snapshot (which contains the trimmed entries) was restored.
    // Caller holds the fold gate. Restores the newest kept snapshot (after `after`, when given) that the fold accepts:
    // a snapshot that cannot be restored (cut short, written by a buggy or newer build) must not stop the replica
    // for good, and every replica skips the same one, so they still converge. Null when none could be restored.
    // A fold's Restore is expected to throw before it changes anything (EngineFold does).
    private async Task<StateSnapshot?> RestoreNewestLockedAsync(LogId? after, CancellationToken cancellationToken)
    {
        var candidates = await _snapshots.LoadRetainedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var snapshot in candidates.OrderByDescending(s => s.LastAppliedId))
        {
            if (after is { } position && snapshot.LastAppliedId <= position)
            {
                break;
            }

            try
            {
                _fold.Restore(snapshot);
                return snapshot;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                StateLog.SnapshotUnreadable(_logger, snapshot.LastAppliedId, ex);
            }
        }

        return null;
    }

    private async Task<bool> ReloadAfterGapLockedAsync(LogId trimmedBefore, CancellationToken cancellationToken)
    {
        var snapshot = await RestoreNewestLockedAsync(after: _lastApplied, cancellationToken).ConfigureAwait(false);
        if (snapshot is not null)
        {
            StateLog.GapReloaded(_logger, _lastApplied, snapshot.LastAppliedId);
            lock (_statusGate)
            {
                _lastApplied = snapshot.LastAppliedId;
            }

            return true;
        }

        StateLog.GapWithoutSnapshot(_logger, trimmedBefore, _lastApplied);
        return false;
    }
}
