using Router.Gateway.Auth;
using Router.Gateway.Caching;

namespace Router.Gateway.Pipeline;

/// <summary>What the pipeline steps share about one request in flight: its id, clock start, caller and cache plan.</summary>
internal sealed class RequestScope
{
    public RequestScope(HttpContext context, GatewayRequest request, string requestId, long started, ClientApiKey? key, string? apiKeyId)
    {
        Context = context;
        Request = request;
        RequestId = requestId;
        Started = started;
        Key = key;
        ApiKeyId = apiKeyId;
    }

    public HttpContext Context { get; }

    public GatewayRequest Request { get; }

    public string RequestId { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at arrival.</summary>
    public long Started { get; }

    /// <summary>The caller's key when client keys are on.</summary>
    public ClientApiKey? Key { get; }

    /// <summary>The caller's key id (from <see cref="Key"/>, or set by a host through <see cref="RequestPipeline.ApiKeyIdItem"/>).</summary>
    public string? ApiKeyId { get; }

    public ResponseCachePlan Cache { get; set; } = ResponseCachePlan.Off;

    public CancellationToken Aborted => Context.RequestAborted;

    public HttpResponse Response => Context.Response;

    /// <summary>Ends the client response (the client-edge translation first, if any) before the observers run.</summary>
    public async Task CompleteResponseAsync()
    {
        if (Request.ClientTranslator is { } translator)
        {
            await translator.FinishAsync(Aborted);
        }

        await Context.Response.CompleteAsync();
    }
}
