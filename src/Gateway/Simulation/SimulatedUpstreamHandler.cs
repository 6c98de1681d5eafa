using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Arms;
using Router.Gateway.Usage;

namespace Router.Gateway.Simulation;

/// <summary>
/// The <c>simulated</c> provider: an in-process upstream that answers in the OpenAI protocol (chat completions,
/// completions, embeddings; JSON and SSE streams with <c>stream_options.include_usage</c>). It sits under YARP as the
/// arm's <see cref="HttpMessageHandler"/>, so a simulated arm goes through exactly the forwarding path of a real one.
/// Latency follows the arm's time to first token and tokens per second; the answer and failures follow
/// <see cref="Configuration.SimulationOptions"/>. Thread-safe.
/// </summary>
public sealed class SimulatedUpstreamHandler : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream") { CharSet = "utf-8" };
    private readonly CatalogArm _arm;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;

    /// <summary>Creates the handler for one arm.</summary>
    public SimulatedUpstreamHandler(CatalogArm arm, ITokenCounter tokens, TimeProvider time)
    {
        _arm = arm;
        _tokens = tokens;
        _time = time;
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
            return Embeddings(body, model);
        }

        var isChat = path.EndsWith("/chat/completions", StringComparison.Ordinal);
        if (!isChat && !path.EndsWith("/completions", StringComparison.Ordinal))
        {
            return Error(HttpStatusCode.NotFound, $"Unknown path {path}.", "invalid_request_error");
        }

        var (prompt, query) = PromptText(body, isChat);
        var words = Answer(query, body);
        var promptTokens = _tokens.CountTokens(prompt);
        var completionTokens = _tokens.CountTokens(string.Concat(words));
        var id = (isChat ? "chatcmpl-sim" : "cmpl-sim") + Guid.NewGuid().ToString("N")[..16];
        var created = _time.GetUtcNow().ToUnixTimeSeconds();
        var stream = body["stream"]?.GetValue<bool>() == true;
        if (!stream)
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds + (words.Count / _arm.Definition.TokensPerSecond), cancellationToken);
            var json = Completion(id, created, model, isChat, string.Concat(words), promptTokens, completionTokens);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = Content(json, Json) };
        }

        var includeUsage = _arm.Simulation.ReportUsage && body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var pipe = new Pipe();
        _ = Task.Run(() => ProduceStreamAsync(pipe.Writer, id, created, model, isChat, words, promptTokens, completionTokens, includeUsage, cancellationToken), CancellationToken.None);
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentType = EventStream;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private async Task ProduceStreamAsync(
        PipeWriter writer, string id, long created, string model, bool isChat, List<string> words,
        int promptTokens, int completionTokens, bool includeUsage, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await DelayAsync(_arm.Definition.TimeToFirstTokenSeconds, cancellationToken);
            if (isChat && await WriteEventAsync(writer, Chunk(id, created, model, isChat, null, roleOnly: true), cancellationToken))
            {
                return;
            }

            // Timers tick at about 1 ms, so fast arms send several tokens per event rather than sleeping < 1 ms.
            var perToken = 1.0 / _arm.Definition.TokensPerSecond;
            var perEvent = Math.Max(1, (int)Math.Ceiling(0.002 / perToken));
            for (var i = 0; i < words.Count; i += perEvent)
            {
                var piece = string.Concat(words.Skip(i).Take(perEvent));
                if (await WriteEventAsync(writer, Chunk(id, created, model, isChat, piece, roleOnly: false), cancellationToken))
                {
                    return;
                }

                await DelayAsync(perToken * perEvent, cancellationToken);
            }

            if (await WriteEventAsync(writer, Chunk(id, created, model, isChat, null, roleOnly: false, finish: "stop"), cancellationToken))
            {
                return;
            }

            if (includeUsage)
            {
                var usage = new JsonObject
                {
                    ["id"] = id,
                    ["object"] = isChat ? "chat.completion.chunk" : "text_completion",
                    ["created"] = created,
                    ["model"] = model,
                    ["choices"] = new JsonArray(),
                    ["usage"] = Usage(promptTokens, completionTokens),
                };
                if (await WriteEventAsync(writer, usage.ToJsonString(), cancellationToken))
                {
                    return;
                }
            }

            await WriteEventAsync(writer, "[DONE]", cancellationToken);
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

    private List<string> Answer(string query, JsonObject body)
    {
        var max = _arm.Simulation.MaxCompletionTokens;
        var requested = body["max_completion_tokens"] ?? body["max_tokens"];
        if (requested is not null && requested.GetValueKind() == JsonValueKind.Number && requested.GetValue<double>() >= 0)
        {
            max = Math.Min(max, (int)requested.GetValue<double>());
        }

        var queryWords = query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var shortQuery = string.Join(' ', queryWords.Take(12)) + (queryWords.Length > 12 ? " ..." : "");
        var text = _arm.Simulation.Reply.Replace("{arm}", _arm.Name, StringComparison.Ordinal).Replace("{query}", shortQuery, StringComparison.Ordinal);
        var split = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. split.Take(max).Select((w, i) => i == 0 ? w : " " + w)];
    }

    private static (string Prompt, string Query) PromptText(JsonObject body, bool isChat)
    {
        if (!isChat)
        {
            var prompt = body["prompt"];
            var text = prompt is JsonArray arr ? string.Join('\n', arr.Select(n => n?.ToString())) : prompt?.ToString() ?? "";
            return (text, text);
        }

        var all = new StringBuilder();
        var last = "";
        foreach (var message in body["messages"]?.AsArray() ?? [])
        {
            var content = message?["content"];
            var text = content is JsonArray parts
                ? string.Join('\n', parts.Select(p => p?["text"]?.ToString()).Where(t => t is not null))
                : content?.ToString() ?? "";
            all.Append(text).Append('\n');
            if (message?["role"]?.ToString() == "user")
            {
                last = text;
            }
        }

        return (all.ToString(), last);
    }

    private string Completion(string id, long created, string model, bool isChat, string text, int promptTokens, int completionTokens)
    {
        var choice = isChat
            ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "stop" }
            : new JsonObject { ["index"] = 0, ["text"] = text, ["finish_reason"] = "stop" };
        var json = new JsonObject
        {
            ["id"] = id,
            ["object"] = isChat ? "chat.completion" : "text_completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(choice),
        };
        if (_arm.Simulation.ReportUsage)
        {
            json["usage"] = Usage(promptTokens, completionTokens);
        }

        return json.ToJsonString();
    }

    private static string Chunk(string id, long created, string model, bool isChat, string? text, bool roleOnly, string? finish = null)
    {
        JsonObject choice;
        if (isChat)
        {
            var delta = new JsonObject();
            if (roleOnly)
            {
                delta["role"] = "assistant";
                delta["content"] = "";
            }
            else if (text is not null)
            {
                delta["content"] = text;
            }

            choice = new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish };
        }
        else
        {
            choice = new JsonObject { ["index"] = 0, ["text"] = text ?? "", ["finish_reason"] = finish };
        }

        return new JsonObject
        {
            ["id"] = id,
            ["object"] = isChat ? "chat.completion.chunk" : "text_completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(choice),
        }.ToJsonString();
    }

    private HttpResponseMessage Embeddings(JsonObject body, string model)
    {
        var input = body["input"];
        var texts = input is JsonArray arr ? arr.Select(n => n?.ToJsonString() ?? "").ToList() : [input?.ToString() ?? ""];
        var dimension = body["dimensions"] is { } d && d.GetValueKind() == JsonValueKind.Number ? (int)d.GetValue<double>() : _arm.Simulation.EmbeddingDimension;
        var data = new JsonArray();
        var promptTokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            promptTokens += _tokens.CountTokens(texts[i]);
            var vector = new JsonArray();
            foreach (var x in Vector(texts[i], dimension))
            {
                vector.Add(x);
            }

            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = vector });
        }

        var json = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
        };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = Content(json.ToJsonString(), Json) };
    }

    /// <summary>A deterministic unit vector per text (seeded by an FNV-1a hash, stable across processes).</summary>
    private static float[] Vector(string text, int dimension)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        var random = new Random((int)hash);
        var v = new float[dimension];
        var norm = 0.0;
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
            norm += v[i] * v[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimension; i++)
        {
            v[i] *= scale;
        }

        return v;
    }

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
    };

    private static HttpResponseMessage Error(HttpStatusCode status, string message, string type)
    {
        var json = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = ((int)status).ToString(CultureInfo.InvariantCulture) },
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
