namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Response ids are the gateway's request id under OpenAI's <c>resp_</c> prefix (<c>req_X</c> ↔ <c>resp_X</c>), so
/// that feedback sent with a response id finds the decision record of the request that produced it, as a chat
/// client's <c>x-router-request-id</c> does. Item ids share the same hex with their own prefixes.
/// </summary>
public static class ResponseIds
{
    /// <summary>The prefix of a response id.</summary>
    public const string ResponsePrefix = "resp_";


    /// <summary>The response id of request <paramref name="requestId"/>.</summary>
    public static string FromRequestId(string requestId) => ClientIds.FromRequestId(ResponsePrefix, requestId);

    /// <summary>The request id behind <paramref name="id"/> when it is a response id; otherwise <paramref name="id"/> itself.</summary>
    public static string ToRequestId(string id) => ClientIds.ToRequestId(id);
}
