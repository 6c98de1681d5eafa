
namespace Router.Gateway.Logging;

/// <summary>Source-generated log messages of the gateway (STYLE.md #11: no prompt text above Trace).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1, LogLevel.Information, "Gateway serving {ArmCount} arm(s): {Arms}")]
    public static partial void Serving(ILogger logger, int armCount, string arms);

    [LoggerMessage(12, LogLevel.Warning, "No arms configured: every request will get 503 until arms are added (Router:Arms in appsettings.json, Router:ArmsFile, or POST /admin/arms)")]
    public static partial void NoArms(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "Arm {Arm}: environment variable {ApiKeyEnv} is not set; requests go upstream without credentials")]
    public static partial void MissingApiKey(ILogger logger, string arm, string apiKeyEnv);

    [LoggerMessage(3, LogLevel.Debug, "Request {RequestId}: forwarding to arm {Arm} (policy {Policy}, attempt {Attempt})")]
    public static partial void Forwarding(ILogger logger, string requestId, string arm, string policy, int attempt);

    [LoggerMessage(4, LogLevel.Warning, "Request {RequestId}: arm {Arm} failed before the first byte ({Reason}); falling back to {NextArm}")]
    public static partial void FallingBack(ILogger logger, string requestId, string arm, string reason, string nextArm);

    [LoggerMessage(5, LogLevel.Warning, "Request {RequestId}: arm {Arm} failed ({Reason})")]
    public static partial void UpstreamFailed(ILogger logger, string requestId, string arm, string reason, Exception? exception);

    [LoggerMessage(6, LogLevel.Debug, "Request {RequestId}: the client went away; the upstream call to {Arm} was cancelled")]
    public static partial void ClientCancelled(ILogger logger, string requestId, string? arm);

    [LoggerMessage(7, LogLevel.Error, "Request {RequestId}: the router failed; ranking the candidates by price instead")]
    public static partial void RouterFailed(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Request {RequestId}: request observer {Observer} failed")]
    public static partial void ObserverFailed(ILogger logger, string requestId, string observer, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "Unhandled exception on {Path}")]
    public static partial void Unhandled(ILogger logger, string path, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Request {RequestId}: {Operation} via {Arm} -> {Status} in {DurationMs:F0} ms, {PromptTokens}+{CompletionTokens} tokens{Estimated}, ${CostUsd:F6}")]
    public static partial void Completed(ILogger logger, string requestId, string operation, string? arm, int status, double durationMs, int promptTokens, int completionTokens, string estimated, double costUsd);

    [LoggerMessage(11, LogLevel.Trace, "Request {RequestId}: query text {QueryText}")]
    public static partial void QueryText(ILogger logger, string requestId, string queryText);
}
