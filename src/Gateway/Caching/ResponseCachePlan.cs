namespace Router.Gateway.Caching;

/// <summary>What the cache does for one request: <see cref="Status"/> null when the cache is off.</summary>
/// <param name="Status">The <c>x-router-cache</c> value, before the lookup (<see cref="ResponseCacheStatus.Miss"/> or <see cref="ResponseCacheStatus.Bypass"/>).</param>
/// <param name="Key">The cache key (<see cref="ResponseCacheKey"/>); null when neither read nor stored.</param>
/// <param name="Read">Whether to look the key up (false under <c>Cache-Control: no-cache</c>).</param>
/// <param name="Store">Whether a successful answer is stored.</param>
public readonly record struct ResponseCachePlan(ResponseCacheStatus? Status, string? Key, bool Read, bool Store)
{
    /// <summary>The cache is off: no header, no lookup, no capture.</summary>
    public static ResponseCachePlan Off => default;

    /// <summary>The request does not use the cache.</summary>
    public static ResponseCachePlan Bypass => new(ResponseCacheStatus.Bypass, null, false, false);
}
