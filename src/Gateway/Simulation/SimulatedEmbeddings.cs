using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Gateway.Usage;

namespace Router.Gateway.Simulation;

/// <summary>
/// The simulated <c>/v1/embeddings</c> answer. Each input gets a deterministic unit vector of the arm's
/// <see cref="Configuration.SimulationOptions.EmbeddingDimension"/> (seeded by an FNV-1a hash of the input, so equal
/// texts embed equally in every process). <c>dimensions</c> keeps the first <c>d</c> components and renormalises
/// them to unit length, which is what OpenAI documents for text-embedding-3 ("shortening embeddings",
/// platform.openai.com/docs/guides/embeddings#use-cases): the short vector is a prefix of the long one, rescaled.
/// <c>encoding_format: "base64"</c> (the OpenAI npm SDK's default) sends the same float32 values as the base64 of
/// their little-endian bytes. Inputs: a string, an array of strings, an array of token ids (one input) or an array of
/// token-id arrays; usage counts the strings' tokens and the token ids as given.
/// </summary>
internal static class SimulatedEmbeddings
{
    /// <summary>The response JSON, or the message of a 400.</summary>
    public static (string? Json, string? Error, string? Param) Answer(JsonObject body, string model, int nativeDimension, ITokenCounter tokens)
    {
        var format = body["encoding_format"]?.ToString() ?? "float";
        if (format is not ("float" or "base64"))
        {
            return (null, $"Invalid value for 'encoding_format': '{format}'. Supported values are: 'float' and 'base64'.", "encoding_format");
        }

        var dimension = nativeDimension;
        if (body["dimensions"] is { } d)
        {
            if (d.GetValueKind() != JsonValueKind.Number || !d.AsValue().TryGetValue<int>(out dimension) || dimension < 1 || dimension > nativeDimension)
            {
                return (null, $"'dimensions' must be an integer from 1 to {nativeDimension} for this model.", "dimensions");
            }
        }

        var inputs = Inputs(body["input"]);
        if (inputs.Count == 0)
        {
            return (null, "'input' must be a non-empty string, array of strings, or array of token arrays.", "input");
        }

        var data = new JsonArray();
        var promptTokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var (seedText, inputTokens) = inputs[i];
            promptTokens += inputTokens ?? tokens.CountTokens(seedText);
            var vector = Vector(seedText, nativeDimension, dimension);
            JsonNode embedding = format == "base64" ? JsonValue.Create(Base64(vector)) : new JsonArray([.. vector.Select(x => (JsonNode)JsonValue.Create(x))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        return (new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
        }.ToJsonString(), null, null);
    }

    /// <summary>The first <paramref name="dimension"/> of the <paramref name="native"/>-long vector of the text, at unit length.</summary>
    internal static float[] Vector(string text, int native, int dimension)
    {
        var random = new Random(RequestSeed.Fnv1a(text));
        var full = new float[native];
        for (var i = 0; i < native; i++)
        {
            full[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var v = full[..dimension];
        var norm = TensorPrimitives.Norm(v);
        TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    /// <summary>Base64 of the float32 values in little-endian order (what OpenAI sends and its SDKs decode).</summary>
    internal static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>Each input as the text that seeds its vector and, for token ids, its token count.</summary>
    private static List<(string SeedText, int? Tokens)> Inputs(JsonNode? input) => input switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [(v.GetValue<string>(), null)],
        JsonArray a when a.Count > 0 && a.All(x => x?.GetValueKind() == JsonValueKind.Number) => [(a.ToJsonString(), a.Count)],
        JsonArray a => [.. a.Select(x => x is JsonArray ids ? (ids.ToJsonString(), (int?)ids.Count) : (x?.ToString() ?? "", null))],
        _ => [],
    };
}
