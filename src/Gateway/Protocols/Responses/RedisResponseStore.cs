using System.Text.Json;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The Redis <see cref="IResponseStore"/> (when <c>Router:Redis:Configuration</c> is set): one string key per
/// response, <c>{prefix}:responses:{id}</c>, holding the <see cref="StoredResponse"/> as JSON with the store TTL as
/// its expiry, so every replica can read, continue and delete a conversation another one created. Thread-safe.
/// </summary>
public sealed class RedisResponseStore : IResponseStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeSpan _ttl;

    /// <summary>Creates the store on the shared multiplexer.</summary>
    public RedisResponseStore(IConnectionMultiplexer redis, IOptions<RedisStateOptions> state, IOptions<ResponsesOptions> options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _prefix = state.Value.KeyPrefix + ":responses:";
        _ttl = options.Value.StoreTtl;
    }

    /// <inheritdoc />
    public async Task SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var json = JsonSerializer.Serialize(response, ResponsesJsonContext.Default.StoredResponse);
        await _redis.GetDatabase().StringSetAsync(_prefix + response.Id, json, _ttl).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var value = await _redis.GetDatabase().StringGetAsync(_prefix + id).WaitAsync(cancellationToken);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize(value.ToString(), ResponsesJsonContext.Default.StoredResponse);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await _redis.GetDatabase().KeyDeleteAsync(_prefix + id).WaitAsync(cancellationToken);
}
