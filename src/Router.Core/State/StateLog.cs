using Microsoft.Extensions.Logging;

namespace Router.Core.State;

/// <summary>Source-generated log messages of the state layer (STYLE.md #11). Never logs payloads.</summary>
internal static partial class StateLog
{
    [LoggerMessage(1, LogLevel.Information, "Learning state restored from snapshot at {SnapshotId}; replaying the log after it")]
    public static partial void RestoredSnapshot(ILogger logger, LogId snapshotId);

    [LoggerMessage(2, LogLevel.Information, "No learning-state snapshot; replaying the whole log")]
    public static partial void NoSnapshot(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Learning event {EntryId} ({Kind}) could not be applied and was skipped")]
    public static partial void ApplyFailed(ILogger logger, LogId entryId, string kind, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Shared state store unavailable while following the log; retrying in {Delay}")]
    public static partial void FollowUnavailable(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "Snapshot saved at {SnapshotId}; log trimmed before {TrimId} ({Removed} entries)")]
    public static partial void SnapshotSaved(ILogger logger, LogId snapshotId, LogId trimId, long removed);

    [LoggerMessage(6, LogLevel.Warning, "Snapshot or trim failed; will retry at the next snapshot point")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "The log was trimmed before {TrimmedBefore} but this replica had applied only up to {LastApplied} and no newer snapshot exists: entries in between are lost to it")]
    public static partial void GapWithoutSnapshot(ILogger logger, LogId trimmedBefore, LogId lastApplied);

    [LoggerMessage(8, LogLevel.Warning, "The log was trimmed past this replica's position {LastApplied}; reloading snapshot {SnapshotId}")]
    public static partial void GapReloaded(ILogger logger, LogId lastApplied, LogId snapshotId);

    [LoggerMessage(9, LogLevel.Warning, "Shared event log unreachable; learning events are buffered on local disk at {Path}")]
    public static partial void Degraded(ILogger logger, string path, Exception? exception);

    [LoggerMessage(10, LogLevel.Information, "Shared event log reachable again; flushed {Count} buffered learning events")]
    public static partial void Flushed(ILogger logger, int count);

    [LoggerMessage(11, LogLevel.Error, "Local learning-event buffer full ({Bytes} bytes); event {IdempotencyKey} rejected")]
    public static partial void BufferFull(ILogger logger, long bytes, string idempotencyKey);

    [LoggerMessage(12, LogLevel.Warning, "Arm registry refresh failed; keeping version {Version}")]
    public static partial void RegistryRefreshFailed(ILogger logger, long version, Exception exception);

    [LoggerMessage(13, LogLevel.Information, "Arm registry now at version {Version} ({Arms} arms)")]
    public static partial void RegistryChanged(ILogger logger, long version, int arms);

    [LoggerMessage(14, LogLevel.Error, "An arm-registry change handler threw")]
    public static partial void RegistryHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Decision record store unavailable; kept {RequestId} on this replica only")]
    public static partial void DecisionStoredLocally(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "Flushing the learning-event buffer failed; staying degraded")]
    public static partial void FlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "Learning-state snapshot {SnapshotId} could not be restored; trying an older one")]
    public static partial void SnapshotUnreadable(ILogger logger, LogId snapshotId, Exception exception);

    [LoggerMessage(18, LogLevel.Error, "Writing the learning-event buffer {Path} failed; {IdempotencyKey} not acknowledged")]
    public static partial void BufferWriteFailed(ILogger logger, string path, string idempotencyKey, Exception exception);

    [LoggerMessage(19, LogLevel.Error, "Flushing the learning-event buffer found {Count} unreadable lines; they were not replayed and are kept in {QuarantinePath}")]
    public static partial void BufferLinesQuarantined(ILogger logger, int count, string quarantinePath);

    [LoggerMessage(20, LogLevel.Error, "Writing unreadable buffer lines to {QuarantinePath} failed; the buffer is kept and the flush retried")]
    public static partial void QuarantineFailed(ILogger logger, string quarantinePath, Exception exception);
}
