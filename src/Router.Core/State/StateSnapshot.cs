namespace Router.Core.State;

/// <summary>
/// The engine's serialised state after applying every log entry up to and including <see cref="LastAppliedId"/>.
/// Start-up loads the newest one and replays only the log after it.
/// </summary>
/// <param name="State">The engine's bytes (opaque here).</param>
/// <param name="LastAppliedId">The last entry folded into <paramref name="State"/>.</param>
/// <param name="CreatedAt">When it was taken.</param>
public sealed record StateSnapshot(ReadOnlyMemory<byte> State, LogId LastAppliedId, DateTimeOffset CreatedAt);
