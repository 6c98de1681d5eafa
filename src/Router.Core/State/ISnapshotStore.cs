namespace Router.Core.State;

/// <summary>
/// Keeps the newest few snapshots (<see cref="LearningStateOptions.SnapshotsRetained"/>). Thread-safe; several
/// replicas may save at once: a snapshot not newer than the newest kept one is ignored.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>Stores <paramref name="snapshot"/> unless a snapshot at or after its position exists. True when stored.</summary>
    ValueTask<bool> SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The newest snapshot, or null when none.</summary>
    ValueTask<StateSnapshot?> LoadLatestAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every kept snapshot, newest first (what a replica falls back on when the newest one cannot be restored).
    /// Empty when none.
    /// </summary>
    ValueTask<IReadOnlyList<StateSnapshot>> LoadRetainedAsync(CancellationToken cancellationToken);

    /// <summary>The position of the oldest kept snapshot (the log must be kept after it), or null when none.</summary>
    ValueTask<LogId?> GetOldestRetainedAsync(CancellationToken cancellationToken);
}
