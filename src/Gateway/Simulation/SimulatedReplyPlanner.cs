using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Configuration;
using Router.Gateway.Usage;

namespace Router.Gateway.Simulation;

/// <summary>
/// Decides what a simulated arm answers to a chat or completions request: <c>n</c> choices, each a function call
/// (<see cref="ToolSelection"/>, arguments from the function's <c>parameters</c> schema), a JSON document
/// (<c>response_format</c> <c>json_schema</c>: an instance of the schema; <c>json_object</c>: <c>{"answer": text}</c>)
/// or the arm's <see cref="SimulationOptions.Reply"/> text, cut at <c>max_tokens</c> (finish reason <c>length</c>).
/// JSON answers are never cut, so they always parse. Every draw is seeded by the request (<see cref="RequestSeed"/>):
/// the same request gets the same answer. Usage follows OpenAI's billing: the prompt counts the messages, the tool
/// definitions and the schema once; the completion sums all choices.
/// </summary>
internal sealed class SimulatedReplyPlanner
{
    private readonly string _armName;
    private readonly SimulationOptions _options;
    private readonly ITokenCounter _tokens;

    public SimulatedReplyPlanner(string armName, SimulationOptions options, ITokenCounter tokens)
    {
        _armName = armName;
        _options = options;
        _tokens = tokens;
    }

    /// <summary>The answer, or the message of a 400 (a <c>tool_choice</c> naming no tool).</summary>
    public (SimulatedReply? Reply, string? Error) Plan(JsonObject body, bool isChat)
    {
        var conversation = isChat ? ChatConversation(body) : CompletionPrompt(body);
        var (functions, error) = isChat ? ToolSelection.Choose(body, conversation.LastUserTurn, conversation.ToolResultsAfterLastUserTurn) : ([], null);
        if (error is not null)
        {
            return (null, error);
        }

        var schema = JsonSchemaOf(body, out var jsonObject);
        var seed = RequestSeed.Of(body);
        var choices = new List<SimulatedChoice>();
        var count = body["n"] is JsonValue n && n.GetValueKind() == JsonValueKind.Number ? Math.Max(1, (int)n.GetValue<double>()) : 1;
        for (var i = 0; i < count; i++)
        {
            var random = new Random(seed + i);
            if (functions.Count > 0)
            {
                var calls = functions.Select(f => new SimulatedToolCall(
                    "call_" + RandomId(random),
                    f["name"]!.ToString(),
                    new JsonSchemaSampler(f["parameters"], random, conversation.LastUserTurn).Sample()?.ToJsonString() ?? "{}")).ToList();
                choices.Add(new SimulatedChoice(i, null, calls, "tool_calls"));
            }
            else if (schema is not null || jsonObject)
            {
                var document = schema is not null
                    ? new JsonSchemaSampler(schema, random, conversation.LastUserTurn).Sample()
                    : new JsonObject { ["answer"] = string.Concat(ReplyWords(conversation.LastUserTurn)) };
                choices.Add(new SimulatedChoice(i, document?.ToJsonString() ?? "null", [], "stop"));
            }
            else
            {
                var words = ReplyWords(conversation.LastUserTurn);
                var limit = RequestedMaxTokens(body);
                var cut = limit is { } l && l < words.Count;
                choices.Add(new SimulatedChoice(i, string.Concat(cut ? words.Take(limit!.Value) : words), [], cut ? "length" : "stop"));
            }
        }

        var prompt = _tokens.CountTokens(conversation.Prompt)
            + (body["tools"] is JsonArray tools ? _tokens.CountTokens(tools.ToJsonString()) : 0)
            + (schema is not null ? _tokens.CountTokens(schema.ToJsonString()) : 0);
        var completion = choices.Sum(c => c.Content is not null
            ? _tokens.CountTokens(c.Content)
            : c.ToolCalls.Sum(t => _tokens.CountTokens(t.Name + t.Arguments)));
        return (new SimulatedReply(choices, prompt, completion), null);
    }

    /// <summary>The arm's reply as words with their leading spaces (the unit the stream paces), at most the arm's cap.</summary>
    private List<string> ReplyWords(string query)
    {
        var queryWords = query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var shortQuery = string.Join(' ', queryWords.Take(12)) + (queryWords.Length > 12 ? " ..." : "");
        var text = _options.Reply.Replace("{arm}", _armName, StringComparison.Ordinal).Replace("{query}", shortQuery, StringComparison.Ordinal);
        var split = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. split.Take(_options.MaxCompletionTokens).Select((w, i) => i == 0 ? w : " " + w)];
    }

    private static int? RequestedMaxTokens(JsonObject body)
    {
        var requested = body["max_completion_tokens"] ?? body["max_tokens"];
        return requested is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() >= 0 ? (int)v.GetValue<double>() : null;
    }

    private static JsonNode? JsonSchemaOf(JsonObject body, out bool jsonObject)
    {
        var format = body["response_format"];
        var type = format.Field("type")?.ToString();
        jsonObject = type == "json_object";
        return type == "json_schema" ? format.Field("json_schema").Field("schema") ?? new JsonObject() : null;
    }

    private static string RandomId(Random random)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return new string([.. Enumerable.Range(0, 24).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
    }

    private static Conversation CompletionPrompt(JsonObject body)
    {
        var prompt = body["prompt"];
        var text = prompt is JsonArray arr ? string.Join('\n', arr.Select(n => n?.ToString())) : prompt?.ToString() ?? "";
        return new Conversation(text, text, false);
    }

    private static Conversation ChatConversation(JsonObject body)
    {
        var all = new StringBuilder();
        var last = "";
        var toolResultsAfterLast = false;
        foreach (var message in body["messages"] as JsonArray ?? [])
        {
            var content = message.Field("content");
            var text = content is JsonArray parts
                ? string.Join('\n', parts.Select(p => p.Field("text")?.ToString()).Where(t => t is not null))
                : content?.ToString() ?? "";
            all.Append(text).Append('\n');

            // An assistant turn's calls are prompt tokens of the next request too.
            foreach (var call in message.Field("tool_calls") as JsonArray ?? [])
            {
                all.Append(call.Field("function").Field("name")).Append(call.Field("function").Field("arguments")).Append('\n');
            }

            switch (message.Field("role")?.ToString())
            {
                case "user":
                    last = text;
                    toolResultsAfterLast = false;
                    break;
                case "tool" or "function":
                    toolResultsAfterLast = true;
                    break;
            }
        }

        return new Conversation(all.ToString(), last, toolResultsAfterLast);
    }

    private sealed record Conversation(string Prompt, string LastUserTurn, bool ToolResultsAfterLastUserTurn);
}
