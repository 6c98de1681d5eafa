namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// One stored response: the <c>response</c> object as it was answered, the request's own input items (for
/// <c>input_items</c>) and the whole conversation up to and including its output (what a later
/// <c>previous_response_id</c> prepends), each as JSON text; and the key that created it (only that key sees it).
/// </summary>
/// <param name="Id">The response id (<c>resp_…</c>).</param>
/// <param name="ApiKeyId">The creating key's id; null when keys are off.</param>
/// <param name="Response">The <c>response</c> object (JSON).</param>
/// <param name="InputItems">The request's input items, with ids (a JSON array).</param>
/// <param name="Conversation">Earlier turns, this input and this output, as Responses items (a JSON array).</param>
public sealed record StoredResponse(string Id, string? ApiKeyId, string Response, string InputItems, string Conversation);
