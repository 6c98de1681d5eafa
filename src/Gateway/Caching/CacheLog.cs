namespace Router.Gateway.Caching;

/// <summary>Source-generated log messages of the response cache (STYLE.md #11; keys are hashes, never prompt text).</summary>
internal static partial class CacheLog
{
    [LoggerMessage(130, LogLevel.Information, "Response cache on: TTL {Ttl}, entries up to {MaxEntryBytes} bytes, {Tier}")]
    public static partial void Enabled(ILogger logger, TimeSpan ttl, int maxEntryBytes, string tier);

    [LoggerMessage(131, LogLevel.Warning, "Response cache: Redis read failed ({Reason}); the request is treated as a miss")]
    public static partial void ReadFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(132, LogLevel.Warning, "Response cache: Redis write failed ({Reason}); the answer is kept in this replica only")]
    public static partial void WriteFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(133, LogLevel.Debug, "Request {RequestId}: answered from the response cache (arm {Arm}, stored {StoredAt:O})")]
    public static partial void Hit(ILogger logger, string requestId, string arm, DateTimeOffset storedAt);

    [LoggerMessage(134, LogLevel.Debug, "Request {RequestId}: answer of {Arm} stored in the response cache ({Bytes} bytes)")]
    public static partial void Stored(ILogger logger, string requestId, string arm, int bytes);

    [LoggerMessage(135, LogLevel.Debug, "Request {RequestId}: answer not stored in the response cache (larger than {MaxEntryBytes} bytes)")]
    public static partial void TooLarge(ILogger logger, string requestId, int maxEntryBytes);

    [LoggerMessage(136, LogLevel.Debug, "Request {RequestId}: cached answer of arm {Arm} not served (arm removed, disabled or not allowed for the key)")]
    public static partial void NotServable(ILogger logger, string requestId, string arm);

    [LoggerMessage(137, LogLevel.Warning, "Response cache: unreadable entry in Redis ignored")]
    public static partial void Unreadable(ILogger logger);

    [LoggerMessage(138, LogLevel.Debug, "Request {RequestId}: an identical request is being answered; waiting for it")]
    public static partial void Coalescing(ILogger logger, string requestId);

    [LoggerMessage(139, LogLevel.Information, "Request {RequestId}: the identical request it waited for took longer than {MaxWait}; going upstream")]
    public static partial void CoalesceTimedOut(ILogger logger, string requestId, TimeSpan maxWait);
}
