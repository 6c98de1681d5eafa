using System.Text;
using System.Text.Json.Nodes;

namespace Router.Gateway.Simulation;

/// <summary>
/// The seed of a simulated answer: an FNV-1a hash (stable across processes, unlike <see cref="string.GetHashCode()"/>)
/// of the request without the fields that only change its delivery (<c>stream</c>, <c>stream_options</c>, <c>n</c>),
/// so the streamed and the plain answer to one request agree, and choice 0 of <c>n: 2</c> equals the <c>n: 1</c> answer.
/// </summary>
internal static class RequestSeed
{
    private static readonly string[] DeliveryFields = ["stream", "stream_options", "n"];

    public static int Of(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        foreach (var field in DeliveryFields)
        {
            copy.Remove(field);
        }

        return Fnv1a(copy.ToJsonString());
    }

    /// <summary>32-bit FNV-1a over the UTF-8 bytes (offset basis 2166136261, prime 16777619; Fowler, Noll, Vo).</summary>
    public static int Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return unchecked((int)hash);
    }
}
