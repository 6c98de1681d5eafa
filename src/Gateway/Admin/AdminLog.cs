namespace Router.Gateway.Admin;

/// <summary>Admin API log messages: every change with who (key holder and address) and when.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(60, LogLevel.Information, "Admin change {Action} {Target} by {Who} at {At:O}: {Outcome}, registry version {Version}")]
    public static partial void Changed(ILogger logger, string action, string target, string who, DateTimeOffset at, string outcome, long version);

    [LoggerMessage(61, LogLevel.Warning, "Admin {Method} {Path} refused: state store unavailable ({Reason})")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(62, LogLevel.Information, "Checkpoint exported by {Who} at {At:O}: {Bytes} bytes, state {Hash}{Location}")]
    public static partial void CheckpointExported(ILogger logger, string who, DateTimeOffset at, int bytes, string hash, string location);
}
