namespace Router.Core.State;

/// <summary>
/// What <see cref="LearningStateFollower"/> drives: the engine's learned state, folded from the log. The engine
/// (or a thin adapter over it) implements this; the follower calls it from one task at a time, never concurrently.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> must be deterministic (same entries in the same order → bit-identical state on every
/// replica) and must not depend on the clock, randomness or anything outside the entry. An entry it cannot use
/// (unknown kind, bad payload) should be ignored; if it throws, the follower logs, counts and skips it.
/// <see cref="Restore"/> should throw before it changes anything when the snapshot is unreadable: the follower then
/// tries the next older kept snapshot (and finally the initial state).
/// </remarks>
public interface ILearningStateFold
{
    /// <summary>Replaces the state with <paramref name="snapshot"/>'s, or with the initial state (e.g. the offline checkpoint) when null.</summary>
    void Restore(StateSnapshot? snapshot);

    /// <summary>Folds one log entry into the state.</summary>
    void Apply(LogEntry entry);

    /// <summary>The state as bytes that <see cref="Restore"/> accepts.</summary>
    ReadOnlyMemory<byte> Serialize();
}
