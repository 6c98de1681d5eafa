using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.State;
using Router.Gateway.Caching;
using Router.Gateway.OpenAi;

namespace Gateway.Tests.Caching;

/// <summary><see cref="ResponseCache.Plan"/>'s key as the host resolves it (the routing model's identity included).</summary>
public sealed class ResponseCachePlanTests
{
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"hello"}]}""";

    [Fact]
    public void Plan_CheckpointTrainedOnAnotherEncoder_KeyFollowsTheEncoderThatRuns()
    {
        // A checkpoint keeps the id of the encoder it was trained with; switching Router:MixLlm:Precision to Int8 runs
        // another encoder under the same checkpoint. The stored embeddings come from the running one, so the key must
        // change with it (it did not: the identity read the checkpoint's id only).
        var fp32 = PlanKey(runningEncoder: "all-MiniLM-L6-v2@abc/256-head-tail/mean-l2");
        var int8 = PlanKey(runningEncoder: "all-MiniLM-L6-v2@abc+int8/256-head-tail/mean-l2");

        Assert.NotEqual(fp32, int8);
        Assert.Equal(fp32, PlanKey(runningEncoder: "all-MiniLM-L6-v2@abc/256-head-tail/mean-l2"));
    }

    [Fact]
    public void Plan_HostWithoutTheRoutingModel_KeysStillPartitionByApiKey()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        Assert.NotEqual(Key(services, "key_a"), Key(services, "key_b"));
        Assert.Equal(Key(services, "key_a"), Key(services, "key_a"));
    }

    private static string PlanKey(string runningEncoder)
    {
        using var services = new ServiceCollection()
            .AddSingleton(MixLlmEngine.CreateUntrained("all-MiniLM-L6-v2@abc/256-head-tail/mean-l2", 8, ProjectionHead.Random(8, 4, seed: 1), costReference: 0.01))
            .AddSingleton<ITextEncoder>(new NamedEncoder(runningEncoder))
            .BuildServiceProvider();
        return Key(services, "key_a");
    }

    private static string Key(IServiceProvider services, string apiKeyId)
    {
        using var cache = new ResponseCache(
            Options.Create(new ResponseCacheOptions { Enabled = true }), Options.Create(new RedisStateOptions()), services, TimeProvider.System, NullLogger<ResponseCache>.Instance);
        var request = new DefaultHttpContext().Request;
        var body = Encoding.UTF8.GetBytes(Body);
        var (parsed, error) = OpenAiRequestParser.Parse(OpenAiOperation.ChatCompletions, body, request.Headers);
        Assert.Null(error);
        return cache.Plan(request, parsed!, apiKeyId, body).Key!;
    }

    private sealed class NamedEncoder(string modelId) : ITextEncoder
    {
        public string ModelId => modelId;

        public int Dimension => 8;

        public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken) => destination.Clear();

        public void Dispose()
        {
        }
    }
}
