using System.Text;
using System.Text.Json;
using Router.Core.Learning;

namespace Router.Core.Tests.Learning;

public sealed class LearningEventSerializerTests
{
    [Fact]
    public void Serialize_Binary_HasTypeDiscriminatorFirstAndRoundTripsExactly()
    {
        var original = new BinaryFeedback { Arm = "gpt", Embedding = [0.1f, -1e-7f, float.Epsilon], Up = true, Propensity = 0.3, RequestId = "r1", Candidates = ["gpt", "mistral"] };
        var bytes = LearningEventSerializer.Serialize(original);
        var json = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("{\"type\":\"binary\"", json, StringComparison.Ordinal);

        var back = Assert.IsType<BinaryFeedback>(LearningEventSerializer.Deserialize(bytes));
        Assert.Equal(original.Embedding, back.Embedding);
        Assert.Equal(original.Candidates, back.Candidates);
        Assert.Equal(original with { Embedding = back.Embedding, Candidates = back.Candidates }, back);
    }

    [Fact]
    public void Deserialize_UnknownType_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => LearningEventSerializer.Deserialize("{\"type\":\"nope\",\"arm\":\"a\"}"u8));
    }
}
