using System.Text;
using System.Text.Json.Nodes;
using static Router.Gateway.Protocols.JsonFields;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Chat completion chunks to the Responses API's typed SSE events (platform.openai.com/docs/api-reference/responses-streaming),
/// each <c>event: {type}</c> with a <c>sequence_number</c> counted from 0: <c>response.created</c>,
/// <c>response.in_progress</c>; per text item <c>response.output_item.added</c>, <c>response.content_part.added</c>,
/// <c>response.output_text.delta</c>…, <c>response.output_text.done</c>, <c>response.content_part.done</c>,
/// <c>response.output_item.done</c>; per tool call <c>response.output_item.added</c>,
/// <c>response.function_call_arguments.delta</c>…/<c>.done</c>, <c>response.output_item.done</c>; then
/// <c>response.completed</c> (or <c>response.incomplete</c> / <c>response.failed</c>). Not thread-safe.
/// </summary>
internal sealed class ResponsesStreamWriter
{
    private readonly ResponseObjectBuilder _builder;
    private readonly List<OutputItem> _items = [];
    private readonly Dictionary<long, OutputItem> _calls = [];
    private OutputItem? _text;
    private int _sequence;
    private string? _model;
    private string? _finish;
    private JsonNode? _usage;
    private JsonObject? _error;

    public ResponsesStreamWriter(ResponseObjectBuilder builder) => _builder = builder;

    /// <summary>Whether <c>response.created</c> went out.</summary>
    public bool Started { get; private set; }

    /// <summary>The final <c>response</c> object (after <see cref="End"/>).</summary>
    public JsonObject? Final { get; private set; }

    /// <summary>Appends the events of one chat chunk.</summary>
    public void Chunk(JsonObject chunk, StringBuilder output)
    {
        _model ??= Str(chunk, "model");
        Start(output);
        if (chunk["error"] is JsonObject error)
        {
            _error = new JsonObject { ["code"] = Str(error, "code") ?? "server_error", ["message"] = Str(error, "message") ?? "The upstream failed." };
            Event(output, new JsonObject { ["type"] = "error", ["code"] = _error["code"]!.DeepClone(), ["message"] = _error["message"]!.DeepClone(), ["param"] = null });
            return;
        }

        if (chunk["usage"] is JsonObject { Count: > 0 } usage)
        {
            _usage = usage.DeepClone();
        }

        var choice = (chunk["choices"] as JsonArray)?.FirstOrDefault();
        var delta = choice?["delta"];
        if (Str(delta, "content") is { Length: > 0 } text)
        {
            AppendText(text, output);
        }

        foreach (var call in delta?["tool_calls"] as JsonArray ?? [])
        {
            AppendCall(call, output);
        }

        _finish = Str(choice, "finish_reason") ?? _finish;
    }

    /// <summary>Closes the open items and appends the terminal event; sets <see cref="Final"/>.</summary>
    public void End(StringBuilder output)
    {
        Start(output);
        foreach (var item in _items.Where(i => !i.Done))
        {
            Close(item, output);
        }

        var (status, reason) = _error is not null ? ("failed", null) : ResponseObjectBuilder.Status(_finish);
        Final = _builder.Build(status, _model, new JsonArray([.. _items.Select(i => (JsonNode)DoneItem(i))]),
            ResponseObjectBuilder.Usage(_usage), _error, reason);
        Event(output, new JsonObject { ["type"] = "response." + status, ["response"] = Final.DeepClone() });
    }

    private void Start(StringBuilder output)
    {
        if (Started)
        {
            return;
        }

        Started = true;
        var response = _builder.Build("in_progress", _model, [], null);
        Event(output, new JsonObject { ["type"] = "response.created", ["response"] = response.DeepClone() });
        Event(output, new JsonObject { ["type"] = "response.in_progress", ["response"] = response });
    }

    private void AppendText(string text, StringBuilder output)
    {
        if (_text is null)
        {
            _text = Open(new OutputItem(_builder.ItemId("msg", _items.Count), _items.Count, isText: true), output);
            Event(output, new JsonObject
            {
                ["type"] = "response.content_part.added", ["item_id"] = _text.Id, ["output_index"] = _text.Index, ["content_index"] = 0,
                ["part"] = ResponsesItems.Part("output_text", ""),
            });
        }

        _text.Content.Append(text);
        Event(output, new JsonObject
        {
            ["type"] = "response.output_text.delta", ["item_id"] = _text.Id, ["output_index"] = _text.Index, ["content_index"] = 0,
            ["delta"] = text, ["logprobs"] = new JsonArray(),
        });
    }

    private void AppendCall(JsonNode? call, StringBuilder output)
    {
        var index = Int(call, "index") ?? 0;
        if (!_calls.TryGetValue(index, out var item))
        {
            if (_text is { Done: false })
            {
                Close(_text, output); // the text came first: it is complete once a tool call starts
            }

            item = new OutputItem(_builder.ItemId("fc", _items.Count), _items.Count, isText: false)
            {
                CallId = Str(call, "id") ?? _builder.ItemId("call", _items.Count),
                Name = Str(call?["function"], "name") ?? "",
            };
            _calls[index] = Open(item, output);
        }

        if (Str(call?["function"], "arguments") is { Length: > 0 } arguments)
        {
            item.Content.Append(arguments);
            Event(output, new JsonObject
            {
                ["type"] = "response.function_call_arguments.delta", ["item_id"] = item.Id, ["output_index"] = item.Index, ["delta"] = arguments,
            });
        }
    }

    private OutputItem Open(OutputItem item, StringBuilder output)
    {
        _items.Add(item);
        var added = item.IsText
            ? ResponsesItems.Message(item.Id, "assistant", [])
            : ResponseObjectBuilder.FunctionCall(item.Id, item.CallId!, item.Name!, "", "in_progress");
        added["status"] = "in_progress";
        Event(output, new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = item.Index, ["item"] = added });
        return item;
    }

    private void Close(OutputItem item, StringBuilder output)
    {
        item.Done = true;
        var text = item.Content.ToString();
        if (item.IsText)
        {
            Event(output, new JsonObject
            {
                ["type"] = "response.output_text.done", ["item_id"] = item.Id, ["output_index"] = item.Index, ["content_index"] = 0,
                ["text"] = text, ["logprobs"] = new JsonArray(),
            });
            Event(output, new JsonObject
            {
                ["type"] = "response.content_part.done", ["item_id"] = item.Id, ["output_index"] = item.Index, ["content_index"] = 0,
                ["part"] = ResponsesItems.Part("output_text", text),
            });
        }
        else
        {
            Event(output, new JsonObject
            {
                ["type"] = "response.function_call_arguments.done", ["item_id"] = item.Id, ["output_index"] = item.Index,
                ["name"] = item.Name, ["arguments"] = text,
            });
        }

        Event(output, new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = item.Index, ["item"] = DoneItem(item) });
    }

    private static JsonObject DoneItem(OutputItem item) => item.IsText
        ? ResponsesItems.Message(item.Id, "assistant", [ResponsesItems.Part("output_text", item.Content.ToString())])
        : ResponseObjectBuilder.FunctionCall(item.Id, item.CallId!, item.Name!, item.Content.ToString(), "completed");

    private void Event(StringBuilder output, JsonObject data)
    {
        data["sequence_number"] = _sequence++;
        output.Append("event: ").Append(Str(data, "type")).Append("\ndata: ").Append(data.ToJsonString()).Append("\n\n");
    }

    private sealed class OutputItem(string id, int index, bool isText)
    {
        public string Id { get; } = id;

        public int Index { get; } = index;

        public bool IsText { get; } = isText;

        public StringBuilder Content { get; } = new();

        public string? CallId { get; init; }

        public string? Name { get; init; }

        public bool Done { get; set; }
    }
}
