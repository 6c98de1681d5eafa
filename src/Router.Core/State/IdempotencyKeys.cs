namespace Router.Core.State;

/// <summary>Conventional idempotency keys for learning events.</summary>
public static class IdempotencyKeys
{
    /// <summary>
    /// <c>kind:requestId</c>: one event of each kind per request, so a client that retries <c>POST /v1/feedback</c>
    /// is counted once (issue 5: idempotent by (request id, kind)).
    /// </summary>
    public static string For(string requestId, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return string.Concat(kind, ":", requestId);
    }
}
