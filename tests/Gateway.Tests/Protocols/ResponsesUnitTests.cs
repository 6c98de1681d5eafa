using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Router.Gateway.Protocols.Responses;

namespace Gateway.Tests.Protocols;

/// <summary>The Responses surface's pieces without a server: ids, item mapping, the stream writer and the in-process store.</summary>
public sealed class ResponsesUnitTests
{
    [Fact]
    public void ResponseIds_RoundTripToTheRequestId()
    {
        var id = ResponseIds.FromRequestId("req_0123abcd");

        Assert.Equal("resp_0123abcd", id);
        Assert.Equal("req_0123abcd", ResponseIds.ToRequestId(id));
        Assert.Equal("req_other", ResponseIds.ToRequestId("req_other"));
    }

    [Fact]
    public void Items_FunctionCallsAfterText_AreOneAssistantTurn_AndOutputsAreToolMessages()
    {
        var input = JsonNode.Parse("""
            [{"role":"user","content":"Weather in Paris and Rome?"},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
             {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"},
             {"type":"function_call","call_id":"call_2","name":"get_weather","arguments":"{\"location\":\"Rome\"}"},
             {"type":"function_call_output","call_id":"call_1","output":"21"},
             {"type":"reasoning","id":"rs_1","summary":[]}]
            """);

        var (items, error) = ResponsesItems.Normalize(input, "ab");
        var messages = new JsonArray();
        ResponsesItems.AppendMessages(items!, messages);

        Assert.Null(error);
        Assert.Equal(5, items!.Count); // the reasoning item is dropped
        Assert.Equal("msg_ab00", items[0]!["id"]!.GetValue<string>());
        Assert.Equal(3, messages.Count);
        Assert.Equal("Weather in Paris and Rome?", messages[0]!["content"]!.GetValue<string>());
        Assert.Equal("Checking.", messages[1]!["content"]!.GetValue<string>());
        Assert.Equal(["call_1", "call_2"], messages[1]!["tool_calls"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));
        Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
        Assert.Equal("call_1", messages[2]!["tool_call_id"]!.GetValue<string>());
    }

    [Fact]
    public void StreamWriter_TextThenToolCall_ClosesTheTextFirst_NumbersEveryEvent_AndTheFinalHoldsBoth()
    {
        var builder = new ResponseObjectBuilder(new JsonObject { ["model"] = "auto" }, "resp_x", "x", 1_700_000_000, store: true);
        var writer = new ResponsesStreamWriter(builder);
        var output = new StringBuilder();

        foreach (var chunk in new[]
        {
            """{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me check."}}]}""",
            """{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}""",
            """{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]}}]}""",
            """{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]}""",
            """{"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            """{"model":"m","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}""",
        })
        {
            writer.Chunk(JsonNode.Parse(chunk)!.AsObject(), output);
        }

        writer.End(output);
        var events = output.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonNode.Parse(e.Split("\ndata: ")[1])!.AsObject()).ToArray();

        Assert.Equal(
        [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done", "response.completed",
        ], events.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(0, events.Length), events.Select(e => e["sequence_number"]!.GetValue<int>()));
        Assert.Equal("{\"location\":\"Paris\"}", events[11]["arguments"]!.GetValue<string>());
        var final = writer.Final!;
        Assert.Equal("m", final["model"]!.GetValue<string>());
        Assert.Equal(["message", "function_call"], final["output"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
        Assert.Equal("call_9", final["output"]![1]!["call_id"]!.GetValue<string>());
        Assert.Equal(19, final["usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task InMemoryStore_ExpiresAfterTheTtl_OnTheGatewaysClock()
    {
        var time = new FakeTimeProvider();
        using var store = new InMemoryResponseStore(Options.Create(new ResponsesOptions { StoreTtl = TimeSpan.FromMinutes(10) }), time);
        await store.SaveAsync(new StoredResponse("resp_a", "key_1", "{}", "[]", "[]"), CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(9));
        var before = await store.FindAsync("resp_a", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        var after = await store.FindAsync("resp_a", CancellationToken.None);

        Assert.Equal("key_1", before?.ApiKeyId);
        Assert.Null(after);
    }

    [Fact]
    public void Options_NonPositiveTtlOrBound_AreRefused()
    {
        Assert.Empty(new ResponsesOptions().Validate());
        Assert.Equal(2, new ResponsesOptions { StoreTtl = TimeSpan.Zero, MaxInMemoryResponses = 0 }.Validate().Count);
    }
}
