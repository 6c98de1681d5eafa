using System.Text;
using Router.Core.Decision;
using Router.Core.Embedding;
using Router.Core.Routing;
using Router.Gateway.Caching;
using Router.Gateway.OpenAi;

namespace Gateway.Tests.Caching;

public sealed class ResponseCacheKeyTests
{
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"What is 2+2?"}]}""";
    private static readonly RoutingPolicy NoKnobs = new();

    [Fact]
    public void Compute_SameRequest_SameKey()
    {
        var first = Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body);
        var second = Key(OpenAiOperation.ChatCompletions, "key_a", new RoutingPolicy(), Body);

        Assert.Equal(first, second);
        Assert.Equal(64, first.Length);
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void Compute_DifferentApiKeyIds_IsolateTenants()
    {
        var a = Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body);
        var b = Key(OpenAiOperation.ChatCompletions, "key_b", NoKnobs, Body);
        var open = Key(OpenAiOperation.ChatCompletions, null, NoKnobs, Body);

        Assert.NotEqual(a, b);
        Assert.NotEqual(a, open);
        Assert.NotEqual(b, open);
    }

    [Fact]
    public void Compute_KeyIdSpelledLikeTheOpenPartition_DoesNotShareItsEntries()
    {
        // The no-key partition is "open", a key's is "key:<id>": no key id can name the other partition.
        Assert.NotEqual(Key(OpenAiOperation.ChatCompletions, null, NoKnobs, Body), Key(OpenAiOperation.ChatCompletions, "open", NoKnobs, Body));
    }

    [Fact]
    public void Compute_DifferentModel_DifferentKey()
    {
        var auto = Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body);
        var pinned = Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body.Replace("\"auto\"", "\"cheap\"", StringComparison.Ordinal));

        Assert.NotEqual(auto, pinned);
    }

    [Theory]
    [InlineData("""{"model":"auto","messages":[{"role":"user","content":"What is 2+3?"}]}""")]
    [InlineData("""{"model":"auto","messages":[{"role":"user","content":"What is 2+2?"}],"temperature":0}""")]
    [InlineData("""{"model":"auto", "messages":[{"role":"user","content":"What is 2+2?"}]}""")]
    public void Compute_DifferentBodyBytes_DifferentKey(string other)
    {
        Assert.NotEqual(Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body), Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, other));
    }

    [Fact]
    public void Compute_DifferentOperation_DifferentKey()
    {
        Assert.NotEqual(Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body), Key(OpenAiOperation.Completions, "key_a", NoKnobs, Body));
    }

    public static TheoryData<RoutingPolicy> Knobs() =>
    [
        new RoutingPolicy { Lambda = 2 },
        new RoutingPolicy { Alpha = 0.5 },
        new RoutingPolicy { Beta = 0.5 },
        new RoutingPolicy { TimeLimitSeconds = 3 },
        new RoutingPolicy { TargetLatencySeconds = 1 },
    ];

    [Theory]
    [MemberData(nameof(Knobs))]
    public void Compute_RoutingKnobSet_DifferentKey(RoutingPolicy knobs)
    {
        Assert.NotEqual(Key(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, Body), Key(OpenAiOperation.ChatCompletions, "key_a", knobs, Body));
    }

    [Fact]
    public void Compute_SameKnobOnDifferentField_DifferentKey()
    {
        var lambda = Key(OpenAiOperation.ChatCompletions, "key_a", new RoutingPolicy { Lambda = 2 }, Body);
        var alpha = Key(OpenAiOperation.ChatCompletions, "key_a", new RoutingPolicy { Alpha = 2 }, Body);

        Assert.NotEqual(lambda, alpha);
    }

    [Fact]
    public void Compute_DifferentRoutingModel_DifferentKey()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var fp32 = ResponseCacheKey.Compute(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, body, "all-MiniLM-L6-v2@x/128#0011");
        var int8 = ResponseCacheKey.Compute(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, body, "all-MiniLM-L6-v2@x+int8/128#0011");

        Assert.NotEqual(fp32, int8);
        Assert.Equal(fp32, ResponseCacheKey.Compute(OpenAiOperation.ChatCompletions, "key_a", NoKnobs, body, "all-MiniLM-L6-v2@x/128#0011"));
    }

    [Fact]
    public void RoutingModelIdentity_SameEncoderOtherHead_Differs()
    {
        var a = MixLlmEngine.CreateUntrained("enc-1", 8, ProjectionHead.Random(8, 4, seed: 1), costReference: 0.01);
        var sameHead = MixLlmEngine.CreateUntrained("enc-1", 8, ProjectionHead.Random(8, 4, seed: 1), costReference: 0.01);
        var otherHead = MixLlmEngine.CreateUntrained("enc-1", 8, ProjectionHead.Random(8, 4, seed: 2), costReference: 0.01);
        var otherEncoder = MixLlmEngine.CreateUntrained("enc-2", 8, ProjectionHead.Random(8, 4, seed: 1), costReference: 0.01);

        var identity = ResponseCacheKey.RoutingModelIdentity(a);

        Assert.StartsWith("enc-1#", identity, StringComparison.Ordinal);
        Assert.Equal(identity, ResponseCacheKey.RoutingModelIdentity(sameHead));
        Assert.NotEqual(identity, ResponseCacheKey.RoutingModelIdentity(otherHead));
        Assert.NotEqual(identity, ResponseCacheKey.RoutingModelIdentity(otherEncoder));
    }

    private static string Key(OpenAiOperation operation, string? apiKeyId, RoutingPolicy knobs, string body) =>
        ResponseCacheKey.Compute(operation, apiKeyId, knobs, Encoding.UTF8.GetBytes(body));
}
