using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests;

/// <summary>Bad requests get the OpenAI error envelope with the right status, never a bare 500 (real Kestrel).</summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private const string Chat = "/v1/chat/completions";
    private const string Ok = """[{"role":"user","content":"hi"}]""";
    private TestUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public static TheoryData<string, string, string, string?, string?, int, string, string?, string?> Cases => new()
    {
        // name, method, path, body, header "name: value", status, type, param, code
        { "malformed JSON", "POST", Chat, "{\"model\":", null, 400, "invalid_request_error", null, null },
        { "empty body", "POST", Chat, "", null, 400, "invalid_request_error", null, null },
        { "array body", "POST", Chat, "[]", null, 400, "invalid_request_error", null, null },
        { "missing model", "POST", Chat, $$"""{"messages":{{Ok}}}""", null, 400, "invalid_request_error", "model", "missing_required_parameter" },
        { "model is a number", "POST", Chat, $$"""{"model":5,"messages":{{Ok}}}""", null, 400, "invalid_request_error", "model", null },
        { "model is empty", "POST", Chat, $$"""{"model":" ","messages":{{Ok}}}""", null, 400, "invalid_request_error", "model", null },
        { "missing messages", "POST", Chat, """{"model":"auto"}""", null, 400, "invalid_request_error", "messages", "missing_required_parameter" },
        { "messages is a string", "POST", Chat, """{"model":"auto","messages":"hi"}""", null, 400, "invalid_request_error", "messages", null },
        { "messages is empty", "POST", Chat, """{"model":"auto","messages":[]}""", null, 400, "invalid_request_error", "messages", null },
        { "message is not an object", "POST", Chat, """{"model":"auto","messages":["hi"]}""", null, 400, "invalid_request_error", "messages[0]", null },
        { "message without role", "POST", Chat, """{"model":"auto","messages":[{"content":"hi"}]}""", null, 400, "invalid_request_error", "messages[0].role", "missing_required_parameter" },
        { "unknown role", "POST", Chat, """{"model":"auto","messages":[{"role":"wizard","content":"hi"}]}""", null, 400, "invalid_request_error", "messages[0].role", null },
        { "content is a number", "POST", Chat, """{"model":"auto","messages":[{"role":"user","content":42}]}""", null, 400, "invalid_request_error", "messages[0].content", null },
        { "content part without type", "POST", Chat, """{"model":"auto","messages":[{"role":"user","content":[{"text":"hi"}]}]}""", null, 400, "invalid_request_error", "messages[0].content[0]", null },
        { "stream is a string", "POST", Chat, $$"""{"model":"auto","stream":"yes","messages":{{Ok}}}""", null, 400, "invalid_request_error", "stream", null },
        { "stream_options without stream", "POST", Chat, $$"""{"model":"auto","stream_options":{"include_usage":true},"messages":{{Ok}}}""", null, 400, "invalid_request_error", "stream_options", null },
        { "temperature out of range", "POST", Chat, $$"""{"model":"auto","temperature":5,"messages":{{Ok}}}""", null, 400, "invalid_request_error", "temperature", null },
        { "max_tokens is a string", "POST", Chat, $$"""{"model":"auto","max_tokens":"ten","messages":{{Ok}}}""", null, 400, "invalid_request_error", "max_tokens", null },
        { "n is zero", "POST", Chat, $$"""{"model":"auto","n":0,"messages":{{Ok}}}""", null, 400, "invalid_request_error", "n", null },
        { "bad lambda header", "POST", Chat, $$"""{"model":"auto","messages":{{Ok}}}""", "x-router-lambda: lots", 400, "invalid_request_error", "x-router-lambda", null },
        { "zero time limit header", "POST", Chat, $$"""{"model":"auto","messages":{{Ok}}}""", "x-router-time-limit: 0", 400, "invalid_request_error", "x-router-time-limit", null },
        { "bad router body field", "POST", Chat, $$"""{"model":"auto","router":{"lambda":"high"},"messages":{{Ok}}}""", null, 400, "invalid_request_error", "router.lambda", null },
        { "unknown model", "POST", Chat, $$"""{"model":"gpt-17","messages":{{Ok}}}""", null, 404, "invalid_request_error", "model", "model_not_found" },
        { "disabled arm", "POST", Chat, $$"""{"model":"off","messages":{{Ok}}}""", null, 503, "service_unavailable", "model", "no_arm_available" },
        { "completions without prompt", "POST", "/v1/completions", """{"model":"auto"}""", null, 400, "invalid_request_error", "prompt", "missing_required_parameter" },
        { "completions prompt is a number", "POST", "/v1/completions", """{"model":"auto","prompt":7}""", null, 400, "invalid_request_error", "prompt", null },
        { "embeddings without input", "POST", "/v1/embeddings", """{"model":"auto"}""", null, 400, "invalid_request_error", "input", "missing_required_parameter" },
        { "embeddings with empty input", "POST", "/v1/embeddings", """{"model":"auto","input":[]}""", null, 400, "invalid_request_error", "input", null },
        { "embeddings streamed", "POST", "/v1/embeddings", """{"model":"auto","input":"x","stream":true}""", null, 400, "invalid_request_error", "stream", null },
        { "embeddings with no embedding arm", "POST", "/v1/embeddings", """{"model":"auto","input":"x"}""", null, 503, "service_unavailable", "model", "no_arm_available" },
        { "body over the limit", "POST", Chat, $$"""{"model":"auto","messages":[{"role":"user","content":"{{new string('x', 70_000)}}"}]}""", null, 413, "invalid_request_error", null, "request_too_large" },
        { "GET on a POST endpoint", "GET", Chat, null, null, 405, "invalid_request_error", null, "method_not_allowed" },
        { "unknown endpoint", "POST", "/v1/images/generations", "{}", null, 404, "invalid_request_error", null, "unknown_url" },
        { "unknown model id", "GET", "/v1/models/gpt-17", null, null, 404, "invalid_request_error", "model", "model_not_found" },
    };

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.Merge(
            GatewayHost.Arm(0, "cheap", _upstream.BaseUrl, 0.1, 0.2),
            GatewayHost.Arm(1, "off", _upstream.BaseUrl, 0.1, 0.2, enabled: false),
            new Dictionary<string, string?> { ["Router:MaxRequestBodyBytes"] = "65536" }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Send_BadRequest_ReturnsStatusAndOpenAiEnvelope(
        string name, string method, string path, string? body, string? header, int status, string type, string? param, string? code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (header is not null)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.Add(header[..colon], header[(colon + 1)..].Trim());
        }

        using var response = await _gateway.Http.SendAsync(request);

        Assert.True(status == (int)response.StatusCode, $"{name}: expected {status}, got {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.DoesNotContain("   at ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : error.GetProperty("param").GetString());
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }
        else
        {
            Assert.True(error.TryGetProperty("code", out _));
        }

        Assert.Empty(_upstream.Received);
    }

    #region The Responses API (/v1/responses): the same OpenAI envelope, nothing reaches the upstream

    private const string Responses = "/v1/responses";

    public static TheoryData<string, string, string, string?, string?, int, string, string?, string?> ResponsesCases => new()
    {
        { "responses: malformed JSON", "POST", Responses, "{\"model\":", null, 400, "invalid_request_error", null, "invalid_json" },
        { "responses: missing model", "POST", Responses, """{"input":"hi"}""", null, 400, "invalid_request_error", "model", "missing_required_parameter" },
        { "responses: missing input", "POST", Responses, """{"model":"auto"}""", null, 400, "invalid_request_error", "input", "missing_required_parameter" },
        { "responses: input is a number", "POST", Responses, """{"model":"auto","input":3}""", null, 400, "invalid_request_error", "input", "invalid_type" },
        { "responses: empty input", "POST", Responses, """{"model":"auto","input":[]}""", null, 400, "invalid_request_error", "input", "empty_array" },
        { "responses: bad item type", "POST", Responses, """{"model":"auto","input":[{"type":"computer_call","id":"x"}]}""", null, 400, "invalid_request_error", "input[0].type", "invalid_value" },
        { "responses: unknown role", "POST", Responses, """{"model":"auto","input":[{"role":"wizard","content":"hi"}]}""", null, 400, "invalid_request_error", "input[0].role", "invalid_value" },
        { "responses: bad content part", "POST", Responses, """{"model":"auto","input":[{"role":"user","content":[{"type":"input_audio"}]}]}""", null, 400, "invalid_request_error", "input[0].content[0].type", "invalid_value" },
        { "responses: function_call_output without call_id", "POST", Responses, """{"model":"auto","input":[{"type":"function_call_output","output":"1"}]}""", null, 400, "invalid_request_error", "input[0].call_id", "missing_required_parameter" },
        { "responses: instructions is a number", "POST", Responses, """{"model":"auto","input":"hi","instructions":1}""", null, 400, "invalid_request_error", "instructions", "invalid_type" },
        { "responses: store is a string", "POST", Responses, """{"model":"auto","input":"hi","store":"no"}""", null, 400, "invalid_request_error", "store", "invalid_type" },
        { "responses: hosted tool", "POST", Responses, """{"model":"auto","input":"hi","tools":[{"type":"web_search"}]}""", null, 400, "invalid_request_error", "tools[0].type", "unsupported_value" },
        { "responses: bad tool_choice", "POST", Responses, """{"model":"auto","input":"hi","tool_choice":"sometimes"}""", null, 400, "invalid_request_error", "tool_choice", "invalid_value" },
        { "responses: bad text format", "POST", Responses, """{"model":"auto","input":"hi","text":{"format":{"type":"yaml"}}}""", null, 400, "invalid_request_error", "text.format.type", "invalid_value" },
        { "responses: json_schema without schema", "POST", Responses, """{"model":"auto","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}""", null, 400, "invalid_request_error", "text.format.schema", "missing_required_parameter" },
        { "responses: max_output_tokens zero", "POST", Responses, """{"model":"auto","input":"hi","max_output_tokens":0}""", null, 400, "invalid_request_error", "max_output_tokens", "invalid_value" },
        { "responses: temperature out of range", "POST", Responses, """{"model":"auto","input":"hi","temperature":5}""", null, 400, "invalid_request_error", "temperature", null },
        { "responses: unknown previous_response_id", "POST", Responses, """{"model":"auto","input":"hi","previous_response_id":"resp_nope"}""", null, 400, "invalid_request_error", "previous_response_id", "previous_response_not_found" },
        { "responses: unknown model", "POST", Responses, """{"model":"gpt-17","input":"hi"}""", null, 404, "invalid_request_error", "model", "model_not_found" },
        { "responses: GET unknown id", "GET", Responses + "/resp_nope", null, null, 404, "invalid_request_error", null, "response_not_found" },
        { "responses: DELETE unknown id", "DELETE", Responses + "/resp_nope", null, null, 404, "invalid_request_error", null, "response_not_found" },
        { "responses: input_items of unknown id", "GET", Responses + "/resp_nope/input_items", null, null, 404, "invalid_request_error", null, "response_not_found" },
        { "responses: input_items limit 0", "GET", Responses + "/resp_nope/input_items?limit=0", null, null, 400, "invalid_request_error", "limit", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(ResponsesCases))]
    public Task SendResponses_BadRequest_ReturnsStatusAndOpenAiEnvelope(
        string name, string method, string path, string? body, string? header, int status, string type, string? param, string? code) =>
        Send_BadRequest_ReturnsStatusAndOpenAiEnvelope(name, method, path, body, header, status, type, param, code);

    #endregion

    #region Anthropic Messages (/v1/messages): Anthropic's envelope {"type":"error","error":{"type","message"}}
    private const string Messages = "/v1/messages";
    private const string Hi = """[{"role":"user","content":"hi"}]""";

    public static TheoryData<string, string, string, string?, int, string, string> MessagesCases => new()
    {
        // name, method, path, body, status, error.type, a word the message names
        { "malformed JSON", "POST", Messages, "{\"model\":", 400, "invalid_request_error", "JSON" },
        { "empty body", "POST", Messages, "", 400, "invalid_request_error", "JSON" },
        { "array body", "POST", Messages, "[]", 400, "invalid_request_error", "object" },
        { "missing model", "POST", Messages, $$"""{"max_tokens":5,"messages":{{Hi}}}""", 400, "invalid_request_error", "model" },
        { "model is a number", "POST", Messages, $$"""{"model":5,"max_tokens":5,"messages":{{Hi}}}""", 400, "invalid_request_error", "model" },
        { "missing max_tokens", "POST", Messages, $$"""{"model":"cheap","messages":{{Hi}}}""", 400, "invalid_request_error", "max_tokens" },
        { "max_tokens zero", "POST", Messages, $$"""{"model":"cheap","max_tokens":0,"messages":{{Hi}}}""", 400, "invalid_request_error", "max_tokens" },
        { "max_tokens is a string", "POST", Messages, $$"""{"model":"cheap","max_tokens":"ten","messages":{{Hi}}}""", 400, "invalid_request_error", "max_tokens" },
        { "missing messages", "POST", Messages, """{"model":"cheap","max_tokens":5}""", 400, "invalid_request_error", "messages" },
        { "messages is a string", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":"hi"}""", 400, "invalid_request_error", "messages" },
        { "message is not an object", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":["hi"]}""", 400, "invalid_request_error", "messages.0" },
        { "unknown role", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":[{"role":"wizard","content":"hi"}]}""", 400, "invalid_request_error", "role" },
        { "system role in messages", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}""", 400, "invalid_request_error", "role" },
        { "content is a number", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":[{"role":"user","content":42}]}""", 400, "invalid_request_error", "content" },
        { "unknown content block", "POST", Messages, """{"model":"cheap","max_tokens":5,"messages":[{"role":"user","content":[{"type":"hologram"}]}]}""", 400, "invalid_request_error", "hologram" },
        { "system is a number", "POST", Messages, $$"""{"model":"cheap","max_tokens":5,"system":7,"messages":{{Hi}}}""", 400, "invalid_request_error", "system" },
        { "stop_sequences is a string", "POST", Messages, $$"""{"model":"cheap","max_tokens":5,"stop_sequences":"END","messages":{{Hi}}}""", 400, "invalid_request_error", "stop_sequences" },
        { "tools is an object", "POST", Messages, $$"""{"model":"cheap","max_tokens":5,"tools":{},"messages":{{Hi}}}""", 400, "invalid_request_error", "tools" },
        { "tool_choice unknown", "POST", Messages, """{"model":"cheap","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"maybe"},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "tool_choice" },
        { "stream is a string", "POST", Messages, $$"""{"model":"cheap","max_tokens":5,"stream":"yes","messages":{{Hi}}}""", 400, "invalid_request_error", "stream" },
        { "unknown model", "POST", Messages, $$"""{"model":"gpt-17","max_tokens":5,"messages":{{Hi}}}""", 404, "not_found_error", "gpt-17" },
        { "disabled arm", "POST", Messages, $$"""{"model":"off","max_tokens":5,"messages":{{Hi}}}""", 503, "overloaded_error", "off" },
        { "body over the limit", "POST", Messages, $$"""{"model":"cheap","max_tokens":5,"messages":[{"role":"user","content":"{{new string('x', 70_000)}}"}]}""", 413, "request_too_large", "limit" },
        { "count_tokens malformed JSON", "POST", Messages + "/count_tokens", "{", 400, "invalid_request_error", "JSON" },
        { "count_tokens without messages", "POST", Messages + "/count_tokens", """{"model":"cheap"}""", 400, "invalid_request_error", "messages" },
        { "GET on messages", "GET", Messages, null, 405, "invalid_request_error", "POST" },
        { "unknown messages endpoint", "POST", Messages + "/batches", "{}", 404, "not_found_error", "/v1/messages" },
    };

    [Theory]
    [MemberData(nameof(MessagesCases))]
    public async Task SendMessages_BadRequest_ReturnsStatusAndAnthropicEnvelope(string name, string method, string path, string? body, int status, string type, string mentions)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _gateway.Http.SendAsync(request);

        Assert.True(status == (int)response.StatusCode, $"{name}: expected {status}, got {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", json.RootElement.GetProperty("type").GetString());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Contains(mentions, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_upstream.Received);
    }
    #endregion
}
