using Router.Training.Data;

namespace Router.Training.Replay;

/// <summary>
/// Recorded answers by (model, prompt): what <c>serve-replay</c> answers with. Prompts are matched after trimming
/// and normalising line ends. Thread-safe after construction.
/// </summary>
public sealed class ReplayStore
{
    private readonly Dictionary<(string Model, string Prompt), RecordedAnswer> _answers = [];

    /// <summary>Indexes every (query, arm) outcome of <paramref name="data"/> that has a response (or at least a quality).</summary>
    public ReplayStore(RoutingDataset data)
    {
        Models = data.Arms;
        foreach (var q in data.Queries)
        {
            var key = Normalise(q.Prompt);
            for (var a = 0; a < data.Arms.Count; a++)
            {
                if (q.Outcomes[a] is { } o)
                {
                    _answers.TryAdd((data.Arms[a], key), new RecordedAnswer(
                        o.Response ?? "",
                        o.PromptTokens,
                        o.CompletionTokens ?? TokenCounter.Count(o.Response),
                        o.Quality));
                }
            }
        }
    }

    /// <summary>The model ids served.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Number of recorded answers.</summary>
    public int Count => _answers.Count;

    /// <summary>The recorded answer of <paramref name="model"/> to <paramref name="prompt"/>, if any.</summary>
    public RecordedAnswer? Find(string model, string prompt) =>
        _answers.TryGetValue((model, Normalise(prompt)), out var answer) ? answer : null;

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}

/// <summary>One recorded answer with its usage.</summary>
public sealed record RecordedAnswer(string Response, int PromptTokens, int CompletionTokens, double Quality);
