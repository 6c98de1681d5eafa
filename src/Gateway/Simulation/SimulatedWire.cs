using System.Text.Json.Nodes;

namespace Router.Gateway.Simulation;

/// <summary>
/// Writes a <see cref="SimulatedReply"/> in OpenAI's wire format: a <c>chat.completion</c> / <c>text_completion</c>
/// object, or the SSE chunks of the same answer (platform.openai.com/docs/api-reference/chat-streaming): per choice a
/// role chunk, content deltas or tool-call deltas (the first with <c>index</c>, <c>id</c>, <c>type</c>, <c>name</c>
/// and empty <c>arguments</c>, then argument fragments under the same <c>index</c>), a chunk with the finish reason;
/// choices interleave round-robin, as OpenAI's do for <c>n</c> &gt; 1; then the usage chunk (empty <c>choices</c>)
/// when asked for.
/// </summary>
internal sealed class SimulatedWire
{
    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly bool _isChat;

    public SimulatedWire(string id, long created, string model, bool isChat)
    {
        _id = id;
        _created = created;
        _model = model;
        _isChat = isChat;
    }

    private string ObjectName => _isChat ? "chat.completion.chunk" : "text_completion";

    /// <summary>The non-streamed answer.</summary>
    public string Completion(SimulatedReply reply, bool reportUsage)
    {
        var choices = new JsonArray();
        foreach (var choice in reply.Choices)
        {
            var item = new JsonObject { ["index"] = choice.Index };
            if (_isChat)
            {
                var message = new JsonObject { ["role"] = "assistant", ["content"] = choice.Content, ["refusal"] = null };
                if (choice.ToolCalls.Count > 0)
                {
                    message["tool_calls"] = new JsonArray([.. choice.ToolCalls.Select(c => (JsonNode)new JsonObject
                    {
                        ["id"] = c.Id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
                    })]);
                }

                item["message"] = message;
            }
            else
            {
                item["text"] = choice.Content;
            }

            item["logprobs"] = null;
            item["finish_reason"] = choice.FinishReason;
            choices.Add(item);
        }

        var json = Envelope(_isChat ? "chat.completion" : "text_completion", choices);
        if (reportUsage)
        {
            json["usage"] = Usage(reply);
        }

        return json.ToJsonString();
    }

    /// <summary>
    /// The stream's events (the <c>data:</c> payloads, <c>[DONE]</c> last), each with the tokens it carries, which
    /// pace it. <paramref name="tokensPerEvent"/> pieces of a choice go into one event (fast arms send several tokens
    /// per event rather than sleep under the timer's ~1 ms resolution).
    /// </summary>
    public IEnumerable<(string Data, int Tokens)> StreamEvents(SimulatedReply reply, bool includeUsage, int tokensPerEvent)
    {
        var perChoice = reply.Choices.Select(c => ChoiceDeltas(c, tokensPerEvent).GetEnumerator()).ToList();
        try
        {
            for (var active = perChoice.Count; active > 0;)
            {
                active = 0;
                foreach (var deltas in perChoice)
                {
                    if (deltas.MoveNext())
                    {
                        active++;
                        yield return (Envelope(ObjectName, new JsonArray(deltas.Current.Choice)).ToJsonString(), deltas.Current.Tokens);
                    }
                }
            }
        }
        finally
        {
            perChoice.ForEach(e => e.Dispose());
        }

        if (includeUsage)
        {
            var usage = Envelope(ObjectName, []);
            usage["usage"] = Usage(reply);
            yield return (usage.ToJsonString(), 0);
        }

        yield return ("[DONE]", 0);
    }

    private IEnumerable<(JsonObject Choice, int Tokens)> ChoiceDeltas(SimulatedChoice choice, int tokensPerEvent)
    {
        if (_isChat)
        {
            yield return (Delta(choice.Index, new JsonObject { ["role"] = "assistant", ["content"] = choice.ToolCalls.Count > 0 ? null : "" }), 0);
        }

        foreach (var (piece, tokens) in Group(TokenPieces(choice.Content ?? ""), tokensPerEvent))
        {
            yield return (_isChat ? Delta(choice.Index, new JsonObject { ["content"] = piece }) : Text(choice.Index, piece, null), tokens);
        }

        for (var i = 0; i < choice.ToolCalls.Count; i++)
        {
            var call = choice.ToolCalls[i];
            yield return (Delta(choice.Index, ToolCallDelta(i, call.Id, call.Name, "")), 1);
            foreach (var (piece, tokens) in Group(TokenPieces(call.Arguments), tokensPerEvent))
            {
                yield return (Delta(choice.Index, ToolCallDelta(i, null, null, piece)), tokens);
            }
        }

        yield return _isChat
            ? (new JsonObject { ["index"] = choice.Index, ["delta"] = new JsonObject(), ["logprobs"] = null, ["finish_reason"] = choice.FinishReason }, 0)
            : (Text(choice.Index, "", choice.FinishReason), 0);
    }

    private static JsonObject ToolCallDelta(int index, string? id, string? name, string arguments)
    {
        var call = new JsonObject { ["index"] = index };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        var function = new JsonObject();
        if (name is not null)
        {
            function["name"] = name;
        }

        function["arguments"] = arguments;
        call["function"] = function;
        return new JsonObject { ["tool_calls"] = new JsonArray(call) };
    }

    /// <summary>
    /// Token-sized pieces: leading spaces plus up to four characters (OpenAI's rule of thumb, one token is about four
    /// characters of English), so a streamed answer arrives in about as many events as it has tokens.
    /// </summary>
    internal static IEnumerable<string> TokenPieces(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = start;
            while (end < text.Length && char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            var word = end;
            while (end < text.Length && end - word < 4 && !char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            yield return text[start..end];
            start = end;
        }
    }

    private static IEnumerable<(string Piece, int Tokens)> Group(IEnumerable<string> pieces, int size) =>
        pieces.Chunk(Math.Max(1, size)).Select(chunk => (string.Concat(chunk), chunk.Length));

    private static JsonObject Delta(int index, JsonObject delta) =>
        new() { ["index"] = index, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = null };

    private static JsonObject Text(int index, string text, string? finish) =>
        new() { ["index"] = index, ["text"] = text, ["logprobs"] = null, ["finish_reason"] = finish };

    private JsonObject Envelope(string objectName, JsonArray choices) => new()
    {
        ["id"] = _id,
        ["object"] = objectName,
        ["created"] = _created,
        ["model"] = _model,
        ["system_fingerprint"] = "fp_simulated",
        ["choices"] = choices,
    };

    private static JsonObject Usage(SimulatedReply reply) => new()
    {
        ["prompt_tokens"] = reply.PromptTokens,
        ["completion_tokens"] = reply.CompletionTokens,
        ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
    };
}
