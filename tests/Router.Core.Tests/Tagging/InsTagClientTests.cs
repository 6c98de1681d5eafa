using System.Net;
using System.Text;
using System.Text.Json;
using Router.Core.Embedding;
using Router.Core.Tagging;

namespace Router.Core.Tests.Tagging;

public sealed class InsTagClientTests
{
    [Fact]
    public async Task TagAsync_OpenAiAnswer_SendsInsTagPromptAndParsesTags()
    {
        // A stand-in for a paid tagging model, answering in the OpenAI chat-completions protocol.
        var handler = new StubHandler("""[{"tag": "Mathematics", "explanation": "..."}, {"tag": "algebra", "explanation": "..."}]""");
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://tagger.local/v1/") };
        var client = new InsTagClient(http, "tagger-model", apiKey: "sk-test");

        var tags = await client.TagAsync("Solve x^2 = 4", CancellationToken.None);

        Assert.Equal(["mathematics", "algebra"], tags);
        Assert.Equal("http://tagger.local/v1/chat/completions", handler.Uri!.ToString());
        Assert.Equal("Bearer sk-test", handler.Authorization);
        using var body = JsonDocument.Parse(handler.Body!);
        Assert.Equal("tagger-model", body.RootElement.GetProperty("model").GetString());
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal(InsTagClient.SystemPrompt, messages[0].GetProperty("content").GetString());
        Assert.Equal("Solve x^2 = 4", messages[1].GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("""Here you go: {"tag": "Poetry", "explanation": "x"}""", "poetry")]
    [InlineData("""["coding", "python", "coding"]""", "coding,python")]
    [InlineData("""{"tag": "a", "explanation": "b"}, {"tag": "c", "explanation": "d"}""", "a,c")]
    [InlineData("""broken {"tag": "x" "tag": "y"}""", "x,y")]
    [InlineData("no tags at all", "")]
    public void ParseTags_SloppyAnswers_AreRead(string content, string expected)
    {
        Assert.Equal(expected, string.Join(",", InsTagClient.ParseTags(content)));
    }

    [Fact]
    public void Labels_TagsOfTwoThemes_GroupQueriesByTheme()
    {
        using var encoder = new ThemeEncoder();
        IReadOnlyList<string>[] tags =
        [
            ["math", "algebra"], ["geometry"], ["poetry"], ["writing", "poetry"], [],
        ];
        float[] queries = [.. ThemeEncoder.Vector("math"), .. ThemeEncoder.Vector("math"), .. ThemeEncoder.Vector("poetry"), .. ThemeEncoder.Vector("poetry"), .. ThemeEncoder.Vector("writing")];
        var labels = TagClustering.Labels(tags, encoder, clusters: 2, seed: 1, queries);
        Assert.Equal(labels[0], labels[1]);
        Assert.Equal(labels[2], labels[3]);
        Assert.NotEqual(labels[0], labels[2]);
        Assert.Equal(labels[2], labels[4]); // no tags: placed by its own embedding
    }

    private sealed class StubHandler(string content) : HttpMessageHandler
    {
        public Uri? Uri { get; private set; }

        public string? Authorization { get; private set; }

        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri = request.RequestUri;
            Authorization = request.Headers.Authorization?.ToString();
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var answer = JsonSerializer.Serialize(new { id = "c1", @object = "chat.completion", choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } } });
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }

    /// <summary>Maths words along one axis, writing words along another.</summary>
    private sealed class ThemeEncoder : ITextEncoder
    {
        public string ModelId => "themes";

        public int Dimension => 3;

        public static float[] Vector(string word) => word switch
        {
            "math" or "algebra" => [1f, 0.1f, 0],
            "geometry" => [0.95f, 0.2f, 0.1f],
            "poetry" => [0.1f, 1f, 0],
            _ => [0.2f, 0.95f, 0.1f],
        };

        public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                Vector(texts[i]).CopyTo(destination.Slice(i * 3, 3));
            }
        }

        public void Dispose()
        {
        }
    }
}
