using System.Text.Json.Nodes;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Saves one finished response with <c>store: true</c>: the <c>response</c> object, the request's input items and the
/// conversation (earlier turns + input + output) that a later <c>previous_response_id</c> continues. A store that
/// fails is logged and the answer still goes out (the response is then not retrievable), as for the response cache.
/// </summary>
internal sealed partial class ResponseRecorder
{
    private readonly IResponseStore _store;
    private readonly string? _apiKeyId;
    private readonly JsonArray _history;
    private readonly JsonArray _input;
    private readonly ILogger _logger;

    public ResponseRecorder(IResponseStore store, string? apiKeyId, JsonArray history, JsonArray input, ILogger logger)
    {
        _store = store;
        _apiKeyId = apiKeyId;
        _history = history;
        _input = input;
        _logger = logger;
    }

    public async Task SaveAsync(JsonObject response, CancellationToken cancellationToken)
    {
        var conversation = new JsonArray();
        foreach (var item in _history.Concat(_input).Concat(response["output"] as JsonArray ?? []))
        {
            conversation.Add(item?.DeepClone());
        }

        var id = response["id"]!.GetValue<string>();
        try
        {
            await _store.SaveAsync(new StoredResponse(id, _apiKeyId, response.ToJsonString(), _input.ToJsonString(), conversation.ToJsonString()), cancellationToken);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
        {
            LogStoreFailed(_logger, id, ex.Message);
        }
    }

    [LoggerMessage(1301, LogLevel.Warning, "Response {ResponseId} was answered but not stored ({Reason})")]
    private static partial void LogStoreFailed(ILogger logger, string responseId, string reason);
}
