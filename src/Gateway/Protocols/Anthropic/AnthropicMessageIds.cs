namespace Router.Gateway.Protocols.Anthropic;

/// <summary>
/// The id of a <c>/v1/messages</c> answer is the gateway's request id with Anthropic's <c>msg_</c> prefix
/// (<c>req_&lt;hex&gt;</c> ↔ <c>msg_&lt;hex&gt;</c>), so a client that kept only the message id can send feedback with it
/// and reach the same decision record, without a lookup table.
/// </summary>
public static class AnthropicMessageIds
{
    private const string MessagePrefix = "msg_";

    /// <summary>The message id of the request <paramref name="requestId"/> (<c>req_…</c>).</summary>
    public static string FromRequestId(string requestId) => ClientIds.FromRequestId(MessagePrefix, requestId);

    /// <summary>The request id behind <paramref name="id"/> when it is a message id (<c>msg_…</c>); otherwise <paramref name="id"/>.</summary>
    public static string ToRequestId(string id) => ClientIds.ToRequestId(id);
}
