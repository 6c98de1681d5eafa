namespace Router.Gateway.Forwarding;

/// <summary>The gateway's own response and request headers.</summary>
public static class RouterHeaders
{
    /// <summary>Response: the request id to quote in <c>POST /v1/feedback</c>.</summary>
    public const string RequestId = "x-router-request-id";

    /// <summary>Response: the arm that answered.</summary>
    public const string Arm = "x-router-arm";

    /// <summary>Response: the policy that chose the arm (<c>pinned</c>, <c>cheapest</c>, <c>mixllm</c> ...).</summary>
    public const string Policy = "x-router-policy";

    /// <summary>Response: <c>true</c> when a fallback arm answered.</summary>
    public const string Fallback = "x-router-fallback";

    /// <summary>Response: the arm that failed first when a fallback arm answered.</summary>
    public const string FallbackFrom = "x-router-fallback-from";

    /// <summary>
    /// Response: what the response cache did, <c>hit</c>, <c>miss</c> or <c>bypass</c> (absent when
    /// <c>Router:Cache:Enabled</c> is false).
    /// </summary>
    public const string Cache = "x-router-cache";

    /// <summary>
    /// Response: what the verifier cascade did (<c>Router:Cascade</c>), one entry per verification, e.g.
    /// <c>escalated from=cheap to=strong p=0.120 threshold=0.550</c> or <c>kept from=cheap p=0.930 threshold=0.550</c>;
    /// absent when no cascade ran.
    /// </summary>
    public const string Cascade = "x-router-cascade";

    /// <summary>Request: <c>1</c> asks for <see cref="Decision"/>.</summary>
    public const string Debug = "x-router-debug";

    /// <summary>Response (debug only): the decision's per-arm scores as compact JSON (with a <c>cascade</c> array when one ran).</summary>
    public const string Decision = "x-router-decision";
}
