namespace Router.Gateway.Protocols;

/// <summary>
/// The ids a client sees for one routed request: the gateway's request id <c>req_X</c> is shown as <c>msg_X</c> on
/// <c>/v1/messages</c> and <c>resp_X</c> on <c>/v1/responses</c>; feedback may name any of them.
/// </summary>
public static class ClientIds
{
    private const string RequestPrefix = "req_";
    private static readonly string[] ClientPrefixes = ["msg_", "resp_"];

    /// <summary>The request id with its <c>req_</c> prefix replaced by <paramref name="prefix"/> (or prefixed, when it has none).</summary>
    public static string FromRequestId(string prefix, string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return prefix + (requestId.StartsWith(RequestPrefix, StringComparison.Ordinal) ? requestId[RequestPrefix.Length..] : requestId);
    }

    /// <summary>The request id behind a client id of any surface; any other id as it is.</summary>
    public static string ToRequestId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        foreach (var prefix in ClientPrefixes)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal) && id.Length > prefix.Length)
            {
                return RequestPrefix + id[prefix.Length..];
            }
        }

        return id;
    }
}
