namespace Router.Core.State;

/// <summary>A cheap summary of the log.</summary>
/// <param name="Length">Entries currently held (after trimming).</param>
/// <param name="LastId">The newest entry's id, or <see cref="LogId.Zero"/> when empty.</param>
/// <param name="TrimmedBefore">Entries with ids below this may have been trimmed away (<see cref="LogId.Zero"/>: never trimmed).</param>
public readonly record struct LogInfo(long Length, LogId LastId, LogId TrimmedBefore);
