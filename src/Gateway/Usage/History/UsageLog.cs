namespace Router.Gateway.Usage.History;

/// <summary>Source-generated log messages of the usage history and the console (event ids 1600–1619).</summary>
internal static partial class UsageLog
{
    [LoggerMessage(1600, LogLevel.Warning, "Could not count request {RequestId} in the usage history")]
    public static partial void RecordFailed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(1601, LogLevel.Warning, "Usage history unreachable for {Path}")]
    public static partial void QueryFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(1602, LogLevel.Information, "Console login from {Remote}")]
    public static partial void ConsoleLogin(ILogger logger, string remote);

    [LoggerMessage(1603, LogLevel.Warning, "Console login refused from {Remote}: wrong admin key")]
    public static partial void ConsoleLoginRefused(ILogger logger, string remote);
}
