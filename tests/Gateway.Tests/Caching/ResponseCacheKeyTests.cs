using System.Text;
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

    private static string Key(OpenAiOperation operation, string? apiKeyId, RoutingPolicy knobs, string body) =>
        ResponseCacheKey.Compute(operation, apiKeyId, knobs, Encoding.UTF8.GetBytes(body));
}
