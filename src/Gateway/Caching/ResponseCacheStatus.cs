namespace Router.Gateway.Caching;

/// <summary>What the response cache did for a request (the <c>x-router-cache</c> header); absent when the cache is off.</summary>
public enum ResponseCacheStatus
{
    /// <summary>Answered from the cache: no upstream call.</summary>
    Hit,

    /// <summary>Not in the cache (or <c>Cache-Control: no-cache</c>): forwarded, and a 2xx answer is stored.</summary>
    Miss,

    /// <summary>The cache was not used: a stream, <c>Cache-Control: no-store</c>, or <c>x-router-debug: 1</c>.</summary>
    Bypass,
}
