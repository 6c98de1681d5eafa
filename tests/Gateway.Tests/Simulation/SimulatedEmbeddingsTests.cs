using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Simulation;

public sealed class SimulatedEmbeddingsTests
{
    [Fact]
    public async Task Embeddings_Base64_DecodesToTheFloatAnswer()
    {
        using var client = SimulatedArm.Client();

        var floats = await EmbedAsync(client, """{"model":"e","input":"same text"}""");
        using var doc = await PostAsync(client, """{"model":"e","input":"same text","encoding_format":"base64"}""");
        var bytes = Convert.FromBase64String(doc.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);

        Assert.True(BitConverter.IsLittleEndian);
        Assert.Equal(256, decoded.Length);
        Assert.Equal(floats, decoded);
    }

    [Fact]
    public async Task Embeddings_Dimensions_PrefixOfTheFullVectorRenormalised()
    {
        using var client = SimulatedArm.Client();

        var full = await EmbedAsync(client, """{"model":"e","input":"shorten me"}""");
        var short64 = await EmbedAsync(client, """{"model":"e","input":"shorten me","dimensions":64}""");
        var prefixNorm = Math.Sqrt(full.Take(64).Sum(x => (double)x * x));

        Assert.Equal(64, short64.Length);
        Assert.Equal(1.0, Math.Sqrt(short64.Sum(x => (double)x * x)), 5);
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(full[i] / prefixNorm, short64[i], 5);
        }
    }

    [Theory]
    [InlineData(""","dimensions":257""", "dimensions")]
    [InlineData(""","dimensions":0""", "dimensions")]
    [InlineData(""","encoding_format":"int8" """, "encoding_format")]
    public async Task Embeddings_BadOption_Answers400NamingIt(string extra, string param)
    {
        using var client = SimulatedArm.Client();

        using var response = await client.PostAsync("http://sim/v1/embeddings", SimulatedArm.Json($$"""{"model":"e","input":"x"{{extra}}}"""));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, doc.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Embeddings_ArrayInput_EachStringEmbedsAsAloneAndUsageSumsTheirTokens()
    {
        using var client = SimulatedArm.Client();

        var alone = await EmbedAsync(client, """{"model":"e","input":"first text"}""");
        using var doc = await PostAsync(client, """{"model":"e","input":["first text","a second, longer text"]}""");
        var first = doc.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();

        Assert.Equal(alone, first);
        Assert.Equal(1, doc.RootElement.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal(
            SimulatedArm.Tokens.CountTokens("first text") + SimulatedArm.Tokens.CountTokens("a second, longer text"),
            doc.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Embeddings_TokenIdInput_UsageCountsTheIds()
    {
        using var client = SimulatedArm.Client();

        using var doc = await PostAsync(client, """{"model":"e","input":[[1,2,3],[4,5]]}""");

        Assert.Equal(5, doc.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("data").GetArrayLength());
    }

    private static async Task<JsonDocument> PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("http://sim/v1/embeddings", SimulatedArm.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<float[]> EmbedAsync(HttpClient client, string body)
    {
        using var doc = await PostAsync(client, body);
        return [.. doc.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle())];
    }
}
