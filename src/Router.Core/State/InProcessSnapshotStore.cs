using Microsoft.Extensions.Options;

namespace Router.Core.State;

/// <summary>Snapshots in memory (the embedded default: keeps the in-process log trimmed). Thread-safe.</summary>
public sealed class InProcessSnapshotStore : ISnapshotStore
{
    private readonly Lock _gate = new();
    private readonly List<StateSnapshot> _snapshots = []; // newest first
    private readonly int _retained;

    /// <summary>Creates an empty store.</summary>
    public InProcessSnapshotStore(IOptions<LearningStateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _retained = options.Value.SnapshotsRetained;
    }

    /// <inheritdoc />
    public ValueTask<bool> SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            if (_snapshots.Count > 0 && _snapshots[0].LastAppliedId >= snapshot.LastAppliedId)
            {
                return ValueTask.FromResult(false);
            }

            _snapshots.Insert(0, snapshot with { State = snapshot.State.ToArray() });
            if (_snapshots.Count > _retained)
            {
                _snapshots.RemoveRange(_retained, _snapshots.Count - _retained);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<StateSnapshot?> LoadLatestAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_snapshots.Count == 0 ? null : _snapshots[0]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StateSnapshot>> LoadRetainedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<StateSnapshot>>([.. _snapshots]);
        }
    }

    /// <inheritdoc />
    public ValueTask<LogId?> GetOldestRetainedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_snapshots.Count == 0 ? null : (LogId?)_snapshots[^1].LastAppliedId);
        }
    }
}
