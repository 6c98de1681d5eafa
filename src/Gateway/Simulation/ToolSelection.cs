using System.Text;
using System.Text.Json.Nodes;

namespace Router.Gateway.Simulation;

/// <summary>
/// Which functions a simulated arm calls, following <c>tool_choice</c> as OpenAI defines it:
/// <list type="bullet">
/// <item><c>"none"</c>, or no <c>tools</c>: none (a text answer).</item>
/// <item><c>{"type":"function","function":{"name":N}}</c>: N (unknown N: a 400, as OpenAI answers).</item>
/// <item><c>"required"</c>: the functions the last user turn matches (below), else the first function.</item>
/// <item><c>"auto"</c> (the default): the functions the last user turn matches, unless tool results (role <c>tool</c>)
/// came after that turn: then the model has what it asked for and answers in text.</item>
/// </list>
/// A function matches when a word of its name (split at <c>_</c>, <c>-</c>, <c>.</c> and camel case) or of its
/// description, four letters or longer and not a common word, occurs in the last user turn (a plural <c>s</c>/<c>es</c>
/// aside): "What's the weather in Paris?" matches <c>get_weather</c>. Several functions match: all are called (parallel
/// tool calls, in the order of <c>tools</c>), unless <c>parallel_tool_calls</c> is false: then the best-matching one.
/// </summary>
internal static class ToolSelection
{
    private static readonly HashSet<string> CommonWords = new(StringComparer.Ordinal)
    {
        "about", "after", "also", "based", "been", "before", "call", "calls", "data", "does", "each", "from",
        "function", "given", "have", "information", "into", "list", "make", "more", "name", "only", "other", "over",
        "please", "provided", "return", "returns", "should", "some", "specified", "such", "than", "that", "their", "them",
        "then", "there", "these", "they", "this", "tool", "under", "used", "user", "using", "value", "values", "what",
        "when", "where", "which", "will", "with", "would", "your",
    };

    /// <summary>The functions (the <c>function</c> objects of <c>tools</c>) to call, or the error to answer.</summary>
    public static (IReadOnlyList<JsonObject> Calls, string? Error) Choose(JsonObject body, string lastUserTurn, bool toolResultsAfterLastUserTurn)
    {
        var functions = (body["tools"] as JsonArray ?? [])
            .Select(t => t.Field("function") as JsonObject)
            .Where(f => f.Field("name") is JsonValue)
            .Select(f => f!)
            .ToList();
        var choice = body["tool_choice"];
        if (functions.Count == 0 || choice?.ToString() == "none")
        {
            return ([], null);
        }

        if (choice is JsonObject named)
        {
            var name = named["function"].Field("name")?.ToString() ?? named["name"]?.ToString();
            var function = functions.FirstOrDefault(f => f["name"]!.ToString() == name);
            return function is null
                ? ([], $"Invalid value for 'tool_choice': no function named '{name}' in 'tools'.")
                : ([function], null);
        }

        var required = choice?.ToString() == "required";
        if (!required && toolResultsAfterLastUserTurn)
        {
            return ([], null);
        }

        var userWords = Words(lastUserTurn).ToHashSet(StringComparer.Ordinal);
        var scored = functions
            .Select(f => (Function: f, Score: Keywords(f).Count(k => Mentions(userWords, k))))
            .Where(s => s.Score > 0)
            .ToList();
        if (scored.Count == 0)
        {
            return required ? ([functions[0]], null) : ([], null);
        }

        if (body["parallel_tool_calls"]?.ToString() == "false")
        {
            return ([scored.OrderByDescending(s => s.Score).First().Function], null);
        }

        return ([.. scored.Select(s => s.Function)], null);
    }

    private static HashSet<string> Keywords(JsonObject function)
    {
        var name = function["name"]!.ToString();
        var spaced = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            // camelCase → camel case; snake_case, kebab-case and dotted names split at their separators.
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                spaced.Append(' ');
            }

            spaced.Append(name[i] is '_' or '-' or '.' ? ' ' : name[i]);
        }

        return [.. Words(spaced + " " + function["description"]).Where(w => w.Length >= 4 && !CommonWords.Contains(w))];
    }

    private static bool Mentions(HashSet<string> userWords, string keyword) =>
        userWords.Contains(keyword) || userWords.Contains(keyword + "s") || userWords.Contains(keyword + "es")
        || (keyword.EndsWith('s') && userWords.Contains(keyword[..^1]));

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
    }
}
