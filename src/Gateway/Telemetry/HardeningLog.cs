namespace Router.Gateway.Telemetry;

/// <summary>Source-generated log messages of the hardening features (keys, limits, resilience, telemetry).</summary>
internal static partial class HardeningLog
{
    [LoggerMessage(101, LogLevel.Warning, "No client API keys exist: /v1/* is open to loopback clients only. Create a key with POST /admin/keys to serve other clients.")]
    public static partial void OpenOnLoopbackOnly(ILogger logger);

    [LoggerMessage(102, LogLevel.Information, "Client API keys are enforced on /v1/* ({Backend} store)")]
    public static partial void KeysEnforced(ILogger logger, string backend);

    [LoggerMessage(103, LogLevel.Warning, "The key store is unreachable; refusing {Path} with 503")]
    public static partial void KeyStoreUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "Limit check for key {KeyId} failed ({What}); admitting the request (limits fail open)")]
    public static partial void LimitCheckFailed(ILogger logger, string keyId, string what, Exception exception);

    [LoggerMessage(105, LogLevel.Warning, "Could not record spend/tokens of request {RequestId} for key {KeyId}")]
    public static partial void ChargeFailed(ILogger logger, string requestId, string keyId, Exception exception);

    [LoggerMessage(106, LogLevel.Warning, "Circuit of arm {Arm} opened for {BreakSeconds} s; the arm leaves routing until it half-opens")]
    public static partial void CircuitOpened(ILogger logger, string arm, double breakSeconds);

    [LoggerMessage(107, LogLevel.Information, "Circuit of arm {Arm} half-open: one trial request")]
    public static partial void CircuitHalfOpened(ILogger logger, string arm);

    [LoggerMessage(108, LogLevel.Information, "Circuit of arm {Arm} closed")]
    public static partial void CircuitClosed(ILogger logger, string arm);

    [LoggerMessage(109, LogLevel.Debug, "Request {RequestId}: retrying arm {Arm} (attempt {Attempt}) after {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string requestId, string arm, int attempt, double delayMs);

    [LoggerMessage(110, LogLevel.Information, "Key {KeyId} ({Name}) created")]
    public static partial void KeyCreated(ILogger logger, string keyId, string name);

    [LoggerMessage(111, LogLevel.Information, "Key {KeyId} revoked")]
    public static partial void KeyRevoked(ILogger logger, string keyId);
}
