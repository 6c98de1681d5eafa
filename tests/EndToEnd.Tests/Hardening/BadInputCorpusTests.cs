using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;
using static EndToEnd.Tests.Hardening.HardeningHelpers;

namespace EndToEnd.Tests.Hardening;

/// <summary>
/// A corpus of malformed requests: each gets a 4xx in the OpenAI envelope (no stack trace, nothing sent upstream),
/// and the gateway still serves a good request afterwards.
/// </summary>
public sealed class BadInputCorpusTests : IAsyncLifetime
{
    private const string Msg = """[{"role":"user","content":"hi"}]""";
    private const string Valid = """{"model":"auto","messages":[{"role":"user","content":"hello there"}],"max_tokens":16}""";
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    /// <summary>name, path, body bytes.</summary>
    public static TheoryData<string, string, byte[]> Corpus()
    {
        var data = new TheoryData<string, string, byte[]>();
        void Add(string name, string body, string path = "/v1/chat/completions") => data.Add(name, path, Encoding.UTF8.GetBytes(body));
        void AddBytes(string name, byte[] body) => data.Add(name, "/v1/chat/completions", body);

        // Truncated JSON at many cut points.
        foreach (var cut in new[] { 1, 5, 10, 20, 30, 45, 60, 75, Valid.Length - 1 })
        {
            Add($"truncated at {cut}", Valid[..cut]);
        }

        // Syntax a lenient parser might accept.
        Add("trailing comma", """{"model":"auto","messages":[{"role":"user","content":"hi"}],}""");
        Add("comment", """{"model":"auto", /* hi */ "messages":[{"role":"user","content":"hi"}]}""");
        Add("single quotes", """{'model':'auto','messages':[]}""");
        Add("NaN literal", $$"""{"model":"auto","temperature":NaN,"messages":{{Msg}}}""");
        Add("trailing garbage", $$"""{"model":"auto","messages":{{Msg}}} x""");
        Add("two objects", $$"""{"model":"auto","messages":{{Msg}}}{}""");
        Add("duplicate key", $$"""{"model":"auto","model":"cheap","messages":{{Msg}}}""");
        Add("deep nesting", "{\"model\":\"auto\",\"messages\":" + new string('[', 200) + new string(']', 200) + "}");
        Add("unquoted key", $$"""{model:"auto","messages":{{Msg}}}""");
        Add("whitespace only", "   \n\t ");

        // Roots of the wrong kind.
        Add("string root", "\"hello\"");
        Add("number root", "42");
        Add("null root", "null");
        Add("empty object", "{}");

        // Wrong types and values.
        Add("model true", $$"""{"model":true,"messages":{{Msg}}}""");
        Add("model null", $$"""{"model":null,"messages":{{Msg}}}""");
        Add("model array", $$"""{"model":["auto"],"messages":{{Msg}}}""");
        Add("model object", $$"""{"model":{},"messages":{{Msg}}}""");
        Add("messages null", """{"model":"auto","messages":null}""");
        Add("messages number", """{"model":"auto","messages":123}""");
        Add("messages object", """{"model":"auto","messages":{"role":"user"}}""");
        Add("message null", """{"model":"auto","messages":[null]}""");
        Add("role number", """{"model":"auto","messages":[{"role":5,"content":"hi"}]}""");
        Add("content true", """{"model":"auto","messages":[{"role":"user","content":true}]}""");
        Add("content object", """{"model":"auto","messages":[{"role":"user","content":{"text":"hi"}}]}""");
        Add("content part number", """{"model":"auto","messages":[{"role":"user","content":[1]}]}""");
        Add("stream number", $$"""{"model":"auto","stream":1,"messages":{{Msg}}}""");
        Add("stream_options array", $$"""{"model":"auto","stream":true,"stream_options":[],"messages":{{Msg}}}""");
        Add("temperature string", $$"""{"model":"auto","temperature":"hot","messages":{{Msg}}}""");
        Add("temperature negative", $$"""{"model":"auto","temperature":-1,"messages":{{Msg}}}""");
        Add("top_p above 1", $$"""{"model":"auto","top_p":2,"messages":{{Msg}}}""");
        Add("n negative", $$"""{"model":"auto","n":-1,"messages":{{Msg}}}""");
        Add("n fractional", $$"""{"model":"auto","n":1.5,"messages":{{Msg}}}""");
        Add("max_tokens negative", $$"""{"model":"auto","max_tokens":-1,"messages":{{Msg}}}""");
        Add("max_tokens zero", $$"""{"model":"auto","max_tokens":0,"messages":{{Msg}}}""");
        Add("max_tokens fractional", $$"""{"model":"auto","max_tokens":1.5,"messages":{{Msg}}}""");
        Add("max_tokens huge", $$"""{"model":"auto","max_tokens":1e20,"messages":{{Msg}}}""");
        Add("max_tokens string", $$"""{"model":"auto","max_tokens":"10","messages":{{Msg}}}""");
        Add("max_completion_tokens negative", $$"""{"model":"auto","max_completion_tokens":-5,"messages":{{Msg}}}""");
        Add("router lambda negative", $$"""{"model":"auto","router":{"lambda":-3},"messages":{{Msg}}}""");
        Add("router unknown knob", $$"""{"model":"auto","router":{"lamda":3},"messages":{{Msg}}}""");
        Add("stream_options include_usage string", $$"""{"model":"auto","stream":true,"stream_options":{"include_usage":"yes"},"messages":{{Msg}}}""");
        Add("tools string", $$"""{"model":"auto","tools":"search","messages":{{Msg}}}""");
        Add("tools of numbers", $$"""{"model":"auto","tools":[1],"messages":{{Msg}}}""");
        Add("response_format string", $$"""{"model":"auto","response_format":"json","messages":{{Msg}}}""");
        Add("logit_bias string values", $$"""{"model":"auto","logit_bias":{"50256":"-100"},"messages":{{Msg}}}""");
        Add("user number", $$"""{"model":"auto","user":42,"messages":{{Msg}}}""");
        Add("seed string", $$"""{"model":"auto","seed":"42","messages":{{Msg}}}""");
        Add("stop number", $$"""{"model":"auto","stop":1,"messages":{{Msg}}}""");
        Add("presence_penalty string", $$"""{"model":"auto","presence_penalty":"1","messages":{{Msg}}}""");

        // Unknown fields (OpenAI answers "Unrecognized request argument supplied").
        Add("unknown field", $$"""{"model":"auto","foo":1,"messages":{{Msg}}}""");
        Add("field with wrong case", $$"""{"model":"auto","Temperature":1,"messages":{{Msg}}}""");
        Add("unknown field on embeddings", """{"model":"auto","input":"x","messages":[]}""", "/v1/embeddings");
        Add("unknown field on completions", """{"model":"auto","prompt":"x","messages":[]}""", "/v1/completions");

        // Huge strings and counts.
        Add("huge model name", $$"""{"model":"{{new string('m', 100_000)}}","messages":{{Msg}}}""");
        Add("huge unknown field name", $$"""{"model":"auto","{{new string('f', 50_000)}}":1,"messages":{{Msg}}}""");
        Add("body over the limit", $$"""{"model":"auto","messages":[{"role":"user","content":"{{new string('x', 300_000)}}"}]}""");
        Add("too many embedding inputs", """{"model":"auto","input":[""" + string.Join(',', Enumerable.Repeat("\"x\"", 101)) + "]}", "/v1/embeddings");
        Add("too many token-id inputs", """{"model":"auto","input":[""" + string.Join(',', Enumerable.Repeat("[1,2]", 101)) + "]}", "/v1/embeddings");
        Add("too many messages", """{"model":"auto","messages":[""" + string.Join(',', Enumerable.Repeat("""{"role":"user","content":"hi"}""", 51)) + "]}");
        Add("prompt over the token limit", $$"""{"model":"auto","messages":[{"role":"user","content":"{{string.Concat(Enumerable.Repeat("lorem ipsum ", 1500))}}"}]}""");

        // Invalid UTF-8 and bad escapes.
        AddBytes("invalid UTF-8 in a string", [.. "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, 0xC3, 0x28, .. "\"}]}"u8]);
        AddBytes("0xFF byte", [.. "{\"model\":\"auto\",\"messages\":"u8, 0xFF, .. "[]}"u8]);
        AddBytes("overlong encoding", [.. "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, 0xC0, 0xAF, .. "\"}]}"u8]);
        AddBytes("invalid UTF-8 in the model", [.. "{\"model\":\""u8, 0xED, 0xA0, 0x80, .. "\",\"messages\":[]}"u8]);
        Add("lone surrogate escape", """{"model":"auto","messages":[{"role":"user","content":"\ud800"}]}""");
        Add("bad escape", """{"model":"auto","messages":[{"role":"user","content":"\q"}]}""");
        Add("control character in a string", "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"a\u0001b\"}]}");
        return data;
    }

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "cheap", _upstream.BaseUrl, 0.1, 0.2),
            new Dictionary<string, string?>
            {
                ["Router:MaxRequestBodyBytes"] = "262144",
                ["Router:Limits:MaxMessages"] = "50",
                ["Router:Limits:MaxEmbeddingInputs"] = "100",
                ["Router:Limits:MaxPromptTokens"] = "1000",
            }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public void Corpus_HasAtLeastFiftyCases() => Assert.True(Corpus().Count >= 50, $"{Corpus().Count} cases");

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Send_MalformedRequest_Returns4xxEnvelopeAndGatewayStaysHealthy(string name, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _gateway.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message), name);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.True(text.Length < 4096, $"{name}: the error echoes too much ({text.Length} chars)");
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.Empty(_upstream.Received);

        using var healthy = await _gateway.Http.SendAsync(Chat(null, Valid));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Theory]
    [InlineData(1, 40_000)]
    [InlineData(100, 10)]
    public async Task Send_OversizedHeaders_Returns431(int count, int size)
    {
        using var request = Chat(null, Valid);
        for (var i = 0; i < count; i++)
        {
            request.Headers.TryAddWithoutValidation($"x-filler-{i}", new string('h', size));
        }

        using var response = await _gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        using var healthy = await _gateway.Http.SendAsync(Chat(null, Valid));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }
}
