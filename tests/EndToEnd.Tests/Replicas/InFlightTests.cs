using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Router.Core.Decision;

namespace EndToEnd.Tests.Replicas;

/// <summary>The engine's queue-wait estimate needs the live in-flight count per arm: the forwarder feeds it.</summary>
public sealed class InFlightTests
{
    [Fact]
    public async Task StreamingRequest_WhileOpen_CountsInFlightForItsArm_ThenReleases()
    {
        // Arm 0 (gpt-4o-sim) slowed down so the stream stays open long enough to observe.
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>
        {
            ["Router:Arms:0:TokensPerSecond"] = "40",
        });
        var engine = gateway.Services.GetRequiredService<MixLlmEngine>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                """{"model":"gpt-4o-sim","stream":true,"messages":[{"role":"user","content":"Tell me a long story."}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        Assert.True(await body.ReadAsync(buffer) > 0);

        Assert.Equal(1, engine.InFlight.InFlight("gpt-4o-sim"));
        Assert.Equal(0, engine.InFlight.InFlight("llama-3-8b-sim"));

        await body.CopyToAsync(Stream.Null);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (engine.InFlight.InFlight("gpt-4o-sim") != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, engine.InFlight.InFlight("gpt-4o-sim"));
    }
}
