using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Router.Core.Tagging;

/// <summary>
/// InsTag-style query tagging (Lu et al. 2023, "#InsTag"; DESIGN.md step 4): asks any OpenAI-compatible chat model
/// for the fine-grained intention tags of a query. Used offline by <c>router train</c> when a tagging model is
/// configured; <see cref="TagClustering"/> turns the tags into cluster labels for the head. Thread-safe.
/// </summary>
public sealed partial class InsTagClient
{
    /// <summary>The InsTag prompt (from the paper's released tagger).</summary>
    public const string SystemPrompt =
        "You are a helpful assistant. Please identify tags of user intentions in the following user query and provide " +
        "an explanation for each tag. Please respond in the JSON format {\"tag\": str, \"explanation\": str}.";

    private readonly HttpClient _http;
    private readonly string _model;
    private readonly string? _apiKey;

    /// <summary>
    /// <paramref name="httpClient"/>'s <see cref="HttpClient.BaseAddress"/> is the API root ending in <c>/</c>
    /// (e.g. <c>https://api.openai.com/v1/</c>); requests go to <c>chat/completions</c> under it.
    /// </summary>
    public InsTagClient(HttpClient httpClient, string model, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrEmpty(model);
        _http = httpClient;
        _model = model;
        _apiKey = apiKey;
    }

    /// <summary>The query's tags, lower-cased and trimmed, in the model's order, without duplicates; empty when none could be read.</summary>
    /// <exception cref="HttpRequestException">The upstream failed (status or transport).</exception>
    public async Task<IReadOnlyList<string>> TagAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var body = new ChatRequest(_model, [new ChatMessage("system", SystemPrompt), new ChatMessage("user", query)], 0);
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions")
        {
            Content = JsonContent.Create(body, TaggingJsonContext.Default.ChatRequest),
        };
        if (!string.IsNullOrEmpty(_apiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var completion = await response.Content.ReadFromJsonAsync(TaggingJsonContext.Default.ChatResponse, cancellationToken);
        var content = completion?.Choices is [var first, ..] ? first.Message?.Content : null;
        return ParseTags(content);
    }

    /// <summary>
    /// Reads tags from a model's answer: a JSON array of <c>{"tag": ...}</c> objects or of strings, a single object,
    /// or (models are sloppy) any <c>"tag": "..."</c> pairs in the text.
    /// </summary>
    public static IReadOnlyList<string> ParseTags(string? content)
    {
        var tags = new List<string>();
        if (string.IsNullOrWhiteSpace(content))
        {
            return tags;
        }

        var start = content.IndexOfAny(['[', '{']);
        if (start >= 0)
        {
            try
            {
                using var document = JsonDocument.Parse(content[start..], new JsonDocumentOptions { AllowTrailingCommas = true });
                Collect(document.RootElement, tags);
            }
            catch (JsonException)
            {
                tags.Clear();
            }
        }

        if (tags.Count == 0)
        {
            foreach (Match match in TagPattern().Matches(content))
            {
                tags.Add(match.Groups[1].Value);
            }
        }

        return [.. tags.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(JsonElement element, List<string> tags)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, tags);
                }

                break;
            case JsonValueKind.Object when element.TryGetProperty("tag", out var tag) && tag.ValueKind == JsonValueKind.String:
                tags.Add(tag.GetString()!);
                break;
            case JsonValueKind.String:
                tags.Add(element.GetString()!);
                break;
            default:
                break;
        }
    }

    [GeneratedRegex("\"tag\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex TagPattern();
}
