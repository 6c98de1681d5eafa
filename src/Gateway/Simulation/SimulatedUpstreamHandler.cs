using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Router.Gateway.Arms;
using Router.Gateway.Usage;

namespace Router.Gateway.Simulation;

/// <summary>
/// The <c>simulated</c> provider: an in-process upstream that answers in the OpenAI protocol (chat completions,
/// completions, embeddings; JSON and SSE streams with <c>stream_options.include_usage</c>) the way a real model
/// does: function calls for <c>tools</c>, schema-valid JSON for <c>response_format</c>, <c>n</c> choices
/// (<see cref="SimulatedReplyPlanner"/>), base64 and shortened embeddings (<see cref="SimulatedEmbeddings"/>). It sits
/// under YARP as the arm's <see cref="HttpMessageHandler"/>, so a simulated arm goes through exactly the forwarding
/// path of a real one. Latency follows the arm's time to first token and tokens per second; the answer and failures
/// follow <see cref="Configuration.SimulationOptions"/>. Thread-safe.
/// </summary>
public sealed class SimulatedUpstreamHandler : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream") { CharSet = "utf-8" };
    private readonly CatalogArm _arm;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly SimulatedReplyPlanner _planner;

    /// <summary>Creates the handler for one arm.</summary>
    public SimulatedUpstreamHandler(CatalogArm arm, ITokenCounter tokens, TimeProvider time)
    {
        _arm = arm;
        _tokens = tokens;
        _time = time;
        _planner = new SimulatedReplyPlanner(arm.Name, arm.Simulation, tokens);
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.RequestUri?.AbsolutePath ?? "";
        JsonObject? body = null;
        if (request.Content is not null)
        {
            // YARP's request content can only be copied out (it streams the client's body), not read as a stream.
            using var buffer = new MemoryStream();
            await request.Content.CopyToAsync(buffer, cancellationToken);
            body = buffer.Length == 0 ? null : JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) as JsonObject;
        }

        if (body is null || request.Method != HttpMethod.Post)
        {
            return Error(HttpStatusCode.BadRequest, "The simulated upstream expects a POST with a JSON object body.", "invalid_request_error");
        }

        if (_arm.Simulation.FailWithStatus is { } failStatus)
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds, cancellationToken);
            return Error((HttpStatusCode)failStatus, $"Simulated failure of arm '{_arm.Name}'.", failStatus >= 500 ? "server_error" : "invalid_request_error");
        }

        var model = body["model"]?.GetValue<string>() ?? _arm.Definition.EffectiveUpstreamModel;
        if (path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds, cancellationToken);
            var (embeddings, embeddingsError, param) = SimulatedEmbeddings.Answer(body, model, _arm.Simulation.EmbeddingDimension, _tokens);
            return embeddings is not null
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = Content(embeddings, Json) }
                : Error(HttpStatusCode.BadRequest, embeddingsError!, "invalid_request_error", param);
        }

        var isChat = path.EndsWith("/chat/completions", StringComparison.Ordinal);
        if (!isChat && !path.EndsWith("/completions", StringComparison.Ordinal))
        {
            return Error(HttpStatusCode.NotFound, $"Unknown path {path}.", "invalid_request_error");
        }

        var (reply, planError) = _planner.Plan(body, isChat);
        if (reply is null)
        {
            return Error(HttpStatusCode.BadRequest, planError!, "invalid_request_error", "tool_choice");
        }

        var wire = new SimulatedWire(
            (isChat ? "chatcmpl-sim" : "cmpl-sim") + Guid.NewGuid().ToString("N")[..16], _time.GetUtcNow().ToUnixTimeSeconds(), model, isChat);
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds + (reply.CompletionTokens / _arm.Definition.TokensPerSecond), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = Content(wire.Completion(reply, _arm.Simulation.ReportUsage), Json) };
        }

        var includeUsage = _arm.Simulation.ReportUsage && body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var pipe = new Pipe();
        _ = Task.Run(() => ProduceStreamAsync(pipe.Writer, wire, reply, includeUsage, cancellationToken), CancellationToken.None);
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentType = EventStream;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private async Task ProduceStreamAsync(PipeWriter writer, SimulatedWire wire, SimulatedReply reply, bool includeUsage, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds, cancellationToken);

            // Timers tick at about 1 ms, so fast arms send several tokens per event rather than sleeping < 1 ms.
            var perToken = 1.0 / _arm.Definition.TokensPerSecond;
            var perEvent = Math.Max(1, (int)Math.Ceiling(0.002 / perToken));
            foreach (var (data, tokens) in wire.StreamEvents(reply, includeUsage, perEvent))
            {
                if (await WriteEventAsync(writer, data, cancellationToken))
                {
                    return;
                }

                await DelayAsync(perToken * tokens, cancellationToken);
            }
        }
        catch (OperationCanceledException ex)
        {
            failure = ex;
        }
        finally
        {
            await writer.CompleteAsync(failure);
        }
    }

    /// <summary>Writes one SSE event; true when the reader has gone away.</summary>
    private static async ValueTask<bool> WriteEventAsync(PipeWriter writer, string data, CancellationToken cancellationToken)
    {
        var result = await writer.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), cancellationToken);
        return result.IsCompleted || result.IsCanceled;
    }

    private Task DelayAsync(double seconds, CancellationToken cancellationToken) =>
        seconds <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds(seconds), _time, cancellationToken);

    private static HttpResponseMessage Error(HttpStatusCode status, string message, string type, string? param = null)
    {
        var json = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = ((int)status).ToString(CultureInfo.InvariantCulture) },
        };
        return new HttpResponseMessage(status) { Content = Content(json.ToJsonString(), Json) };
    }

    private static ByteArrayContent Content(string json, MediaTypeHeaderValue type)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = type;
        return content;
    }
}
