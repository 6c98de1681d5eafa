using System.Globalization;
using System.Text.Json.Nodes;
using Router.Gateway.OpenAi;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The stored-response endpoints of the Responses API: <c>GET /v1/responses/{id}</c> (the <c>response</c> object),
/// <c>DELETE /v1/responses/{id}</c> (<c>{"id","object":"response","deleted":true}</c>; a later GET is 404) and
/// <c>GET /v1/responses/{id}/input_items</c> (a list page: <c>limit</c> 1-100, default 20; <c>order</c> asc|desc,
/// default desc; <c>after</c> an item id). A key sees only the responses it created: another key's id is 404, as an
/// unknown one. A store that cannot be reached is a 503.
/// </summary>
internal static partial class ResponsesStoreEndpoints
{
    /// <summary>Serves <c>GET /v1/responses/{id}</c>.</summary>
    public static async Task RetrieveAsync(HttpContext context, string id, IResponseStore store, ILogger<ResponsesInbound> logger)
    {
        var (found, error) = await FindOwnAsync(store, id, ResponsesInbound.CallerKeyId(context), logger, context.RequestAborted);
        if (found is null)
        {
            await (error ?? NotFound(id)).WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        await WriteJsonAsync(context, found.Response);
    }

    /// <summary>Serves <c>DELETE /v1/responses/{id}</c>.</summary>
    public static async Task DeleteAsync(HttpContext context, string id, IResponseStore store, ILogger<ResponsesInbound> logger)
    {
        var (found, error) = await FindOwnAsync(store, id, ResponsesInbound.CallerKeyId(context), logger, context.RequestAborted);
        if (found is null)
        {
            await (error ?? NotFound(id)).WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        try
        {
            await store.DeleteAsync(id, context.RequestAborted);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogStoreUnavailable(logger, id, ex.Message);
            await Unavailable().WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        await WriteJsonAsync(context, new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true }.ToJsonString());
    }

    /// <summary>Serves <c>GET /v1/responses/{id}/input_items</c>.</summary>
    public static async Task InputItemsAsync(HttpContext context, string id, IResponseStore store, ILogger<ResponsesInbound> logger)
    {
        var query = context.Request.Query;
        var limit = 20;
        if (query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            await OpenAiError.InvalidRequest("Invalid 'limit': expected an integer between 1 and 100.", "limit", "invalid_value").WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        var order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : "desc";
        if (order is not ("asc" or "desc"))
        {
            await OpenAiError.InvalidRequest("Invalid 'order': expected 'asc' or 'desc'.", "order", "invalid_value").WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        var (found, error) = await FindOwnAsync(store, id, ResponsesInbound.CallerKeyId(context), logger, context.RequestAborted);
        if (found is null)
        {
            await (error ?? NotFound(id)).WriteAsync(context.Response, context.RequestAborted);
            return;
        }

        var items = (JsonNode.Parse(found.InputItems) as JsonArray ?? []).ToList();
        if (order == "desc")
        {
            items.Reverse();
        }

        if (query.TryGetValue("after", out var after) && items.FindIndex(i => Str(i, "id") == after) is var at and >= 0)
        {
            items = items[(at + 1)..];
        }

        var page = items.Take(limit).Select(i => i!.DeepClone()).ToArray();
        await WriteJsonAsync(context, new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(page),
            ["first_id"] = page.Length > 0 ? Str(page[0], "id") : null,
            ["last_id"] = page.Length > 0 ? Str(page[^1], "id") : null,
            ["has_more"] = items.Count > limit,
        }.ToJsonString());
    }

    /// <summary>The stored response <paramref name="id"/> when the caller may see it (null otherwise), or a 503 when the store is unreachable.</summary>
    public static async Task<(StoredResponse? Found, OpenAiError? Error)> FindOwnAsync(
        IResponseStore store, string id, string? keyId, ILogger logger, CancellationToken cancellationToken)
    {
        StoredResponse? found;
        try
        {
            found = await store.FindAsync(id, cancellationToken);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogStoreUnavailable(logger, id, ex.Message);
            return (null, Unavailable());
        }

        // Another key's response is answered as unknown: its existence is not disclosed.
        return (found is not null && string.Equals(found.ApiKeyId, keyId, StringComparison.Ordinal) ? found : null, null);
    }

    private static OpenAiError NotFound(string id) =>
        new(StatusCodes.Status404NotFound, $"Response with id '{OpenAiError.Quote(id)}' not found.", "invalid_request_error", null, "response_not_found");

    private static OpenAiError Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "The response store is unreachable; retry later.", "service_unavailable", null, "response_store_unavailable");

    private static async Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    [LoggerMessage(1302, LogLevel.Warning, "Response store unreachable for {ResponseId} ({Reason})")]
    private static partial void LogStoreUnavailable(ILogger logger, string responseId, string reason);
}
