using Microsoft.Extensions.Options;
using Router.Gateway.Configuration;
using Router.Gateway.Pipeline;

namespace Router.Gateway.OpenAi;

/// <summary>
/// The inbound adapter of <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>: reads and
/// validates the body into a <see cref="GatewayRequest"/> (errors in the OpenAI envelope) and hands it to the
/// <see cref="RequestPipeline"/>. The body is forwarded as the client sent it (model rewritten): no translation.
/// Thread-safe singleton.
/// </summary>
public sealed class OpenAiInbound
{
    private readonly RequestPipeline _pipeline;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the adapter (DI).</summary>
    public OpenAiInbound(RequestPipeline pipeline, IOptions<GatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = pipeline;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Serves one request on <paramref name="operation"/>'s endpoint.</summary>
    public async Task HandleAsync(HttpContext context, OpenAiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (requestId, started) = _pipeline.Begin(context);
        var cancellationToken = context.RequestAborted;
        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, cancellationToken);
        if (readError is not null)
        {
            await readError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        var (parsed, parseError) = OpenAiRequestParser.Parse(operation, body, context.Request.Headers);
        if (parseError is not null)
        {
            await parseError.WriteAsync(context.Response, cancellationToken);
            return;
        }

        await _pipeline.RunAsync(context, parsed!, body, requestId, started);
    }
}
