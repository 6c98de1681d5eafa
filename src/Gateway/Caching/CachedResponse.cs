using System.Buffers.Binary;
using System.Text.Json;
using Router.Core.Routing;

namespace Router.Gateway.Caching;

/// <summary>
/// One stored answer: the body and content type the client got, the arm that produced it, and the decision that chose
/// that arm (what feedback on a hit needs: ranked arms with the serving arm first, candidates, propensity, embedding).
/// Immutable; shared by every hit of the in-process cache.
/// </summary>
public sealed record CachedResponse
{
    // Stored layout (Redis): one format byte, a big-endian int32 metadata length, the metadata as JSON, then the body.
    private const byte Format = 1;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The arm whose answer this is.</summary>
    public required string Arm { get; init; }

    /// <summary>The policy of the decision (<c>pinned</c>, <c>cheapest</c>, <c>mixllm</c> ...), sent as <c>x-router-policy</c>.</summary>
    public required string Policy { get; init; }

    /// <summary>The response's Content-Type.</summary>
    public required string ContentType { get; init; }

    /// <summary>The response body, exactly as the client got it.</summary>
    public required byte[] Body { get; init; }

    /// <summary>The decision's arms, the serving arm first.</summary>
    public string[] RankedArms { get; init; } = [];

    /// <summary>The arms the router chose among.</summary>
    public string[] Candidates { get; init; } = [];

    /// <summary>Probability with which the serving arm was drawn.</summary>
    public double Propensity { get; init; } = 1;

    /// <summary>The query embedding of the decision; empty when the policy used none (pinned, cheapest).</summary>
    public float[] Embedding { get; init; } = [];

    /// <summary>When it was stored; it is served until this plus the TTL.</summary>
    public DateTimeOffset StoredAt { get; init; }

    /// <summary>The decision to record for a hit's new request id: a copy of the original's, the serving arm first.</summary>
    public RoutingDecision DecisionFor(string requestId) => new()
    {
        RequestId = requestId,
        RankedArms = RankedArms.Length > 0 ? RankedArms : [Arm],
        Policy = Policy,
        Propensity = Propensity,
        Embedding = Embedding,
        Scores = [.. Candidates.Select(c => new ArmScore(c, 0, 0, 0, 0, 0, 0, null))],
    };

    /// <summary>Serializes for the shared (Redis) tier.</summary>
    public byte[] ToBytes()
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(
            new Metadata(Arm, Policy, ContentType, RankedArms, Candidates, Propensity, Embedding, StoredAt), JsonOptions);
        var bytes = new byte[1 + sizeof(int) + metadata.Length + Body.Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), metadata.Length);
        metadata.CopyTo(bytes, 1 + sizeof(int));
        Body.CopyTo(bytes, 1 + sizeof(int) + metadata.Length);
        return bytes;
    }

    /// <summary>Reads <see cref="ToBytes"/>'s layout; null when the bytes are not that (another version, damage).</summary>
    public static CachedResponse? FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 1 + sizeof(int) || bytes[0] != Format)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(bytes[1..]);
        if (length <= 0 || length > bytes.Length - 1 - sizeof(int))
        {
            return null;
        }

        Metadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<Metadata>(bytes.Slice(1 + sizeof(int), length), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        if (metadata is null || string.IsNullOrEmpty(metadata.Arm) || string.IsNullOrEmpty(metadata.ContentType))
        {
            return null;
        }

        return new CachedResponse
        {
            Arm = metadata.Arm,
            Policy = metadata.Policy ?? "cache",
            ContentType = metadata.ContentType,
            Body = bytes[(1 + sizeof(int) + length)..].ToArray(),
            RankedArms = metadata.RankedArms ?? [],
            Candidates = metadata.Candidates ?? [],
            Propensity = metadata.Propensity,
            Embedding = metadata.Embedding ?? [],
            StoredAt = metadata.StoredAt,
        };
    }

    private sealed record Metadata(
        string Arm, string? Policy, string ContentType, string[]? RankedArms, string[]? Candidates, double Propensity, float[]? Embedding, DateTimeOffset StoredAt);
}
