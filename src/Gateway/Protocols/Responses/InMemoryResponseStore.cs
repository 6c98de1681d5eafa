using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The in-process <see cref="IResponseStore"/>: at most <see cref="ResponsesOptions.MaxInMemoryResponses"/> entries
/// (MemoryCache compacts the oldest-used when full), each for <see cref="ResponsesOptions.StoreTtl"/> on the gateway's
/// clock. Lost on restart and not shared between replicas (use Redis for that). Thread-safe.
/// </summary>
public sealed class InMemoryResponseStore : IResponseStore, IDisposable
{
    private readonly MemoryCache _entries;
    private readonly TimeSpan _ttl;

    /// <summary>Creates the store (DI).</summary>
    public InMemoryResponseStore(IOptions<ResponsesOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ttl = options.Value.StoreTtl;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.MaxInMemoryResponses, Clock = new Clock(time) });
    }

    /// <inheritdoc />
    public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        _entries.Set(response.Id, response, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _ttl });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_entries.TryGetValue(id, out StoredResponse? found) ? found : null);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var existed = _entries.TryGetValue(id, out _);
        _entries.Remove(id);
        return Task.FromResult(existed);
    }

    /// <inheritdoc />
    public void Dispose() => _entries.Dispose();

    // MemoryCache on the gateway's TimeProvider (STYLE.md: TimeProvider in decision code), so the TTL follows it.
    private sealed class Clock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
