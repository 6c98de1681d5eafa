using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Router.Core.Decision;
using Router.Core.Routing;
using Router.Gateway.OpenAi;

namespace Router.Gateway.Caching;

/// <summary>
/// The cache key of a request: lowercase hex SHA-256 over length-prefixed fields, in this order:
/// a version tag (<c>router-response-cache/v2</c>), the routing model's identity (<see cref="RoutingModelIdentity"/>:
/// a stored answer carries the query's embedding for feedback on hits, which only means something to the same encoder
/// and projection head), the operation (<c>ChatCompletions</c>, <c>Completions</c>,
/// <c>Embeddings</c>), the partition (<c>key:&lt;api key id&gt;</c>, or <c>open</c> when the gateway runs without client
/// keys), the five per-request routing knobs after parsing (λ, α, β, time limit, target latency: from the
/// <c>x-router-*</c> headers or the body's <c>router</c> field; empty when unset), and the request body bytes exactly
/// as the client sent them (so <c>model</c> is in it: <c>auto</c> and a pinned arm are different entries, and so is any
/// difference in whitespace or field order). Length prefixes keep fields from running into each other. Pure and
/// thread-safe.
/// </summary>
public static class ResponseCacheKey
{
    private const string Version = "router-response-cache/v2";

    /// <summary>The key for one request; <paramref name="apiKeyId"/> null = the no-key partition.</summary>
    public static string Compute(OpenAiOperation operation, string? apiKeyId, RoutingPolicy requestPolicy, ReadOnlySpan<byte> body, string routingModel = "")
    {
        ArgumentNullException.ThrowIfNull(requestPolicy);
        ArgumentNullException.ThrowIfNull(routingModel);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, Version);
        Append(hash, routingModel);
        Append(hash, operation.ToString());
        Append(hash, apiKeyId is null ? "open" : "key:" + apiKeyId);
        Append(hash, requestPolicy.Lambda);
        Append(hash, requestPolicy.Alpha);
        Append(hash, requestPolicy.Beta);
        Append(hash, requestPolicy.TimeLimitSeconds);
        Append(hash, requestPolicy.TargetLatencySeconds);
        Append(hash, body);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void Append(IncrementalHash hash, double? value) =>
        Append(hash, value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "");

    private static void Append(IncrementalHash hash, string value) => Append(hash, Encoding.UTF8.GetBytes(value));

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        hash.AppendData(length);
        hash.AppendData(value);
    }

    /// <summary>
    /// The identity of what turns a query into the embedding a decision record holds: the running encoder's model id
    /// (<paramref name="runningEncoderId"/>; a checkpoint keeps the id of the encoder it was trained with, which is not
    /// the one that runs after a precision switch), the checkpoint's encoder id, and a SHA-256 prefix of the projection
    /// head's weights. A new checkpoint or encoder precision gives new keys, so a hit never hands feedback an embedding
    /// from another space (entries made before expire by their TTL).
    /// </summary>
    public static string RoutingModelIdentity(MixLlmEngine engine, string? runningEncoderId = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, engine.EncoderId);
        Append(hash, runningEncoderId ?? engine.EncoderId);
        Append(hash, engine.EmbeddingDimension.ToString(CultureInfo.InvariantCulture));
        if (engine.Head is { } head)
        {
            Append(hash, System.Runtime.InteropServices.MemoryMarshal.AsBytes(head.Weights));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return (runningEncoderId ?? engine.EncoderId) + "#" + Convert.ToHexStringLower(digest[..8]);
    }
}
