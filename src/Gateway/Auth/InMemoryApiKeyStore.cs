using System.Collections.Concurrent;

namespace Router.Gateway.Auth;

/// <summary>In-process key store (single replica, or tests). Keys are lost on restart.</summary>
public sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly ConcurrentDictionary<string, ClientApiKey> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idByHash = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<ClientApiKey?> FindBySecretHashAsync(string secretHash, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_idByHash.TryGetValue(secretHash, out var id) && _byId.TryGetValue(id, out var key) ? key : null);

    /// <inheritdoc />
    public ValueTask<bool> HasActiveKeysAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_byId.Values.Any(k => k.IsActive));

    /// <inheritdoc />
    public Task AddAsync(ClientApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_byId.TryAdd(key.Id, key))
        {
            throw new InvalidOperationException($"A key with id {key.Id} exists.");
        }

        _idByHash[key.SecretHash] = key.Id;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ClientApiKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ClientApiKey>>([.. _byId.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)]);

    /// <inheritdoc />
    public Task<ClientApiKey?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_byId.TryGetValue(id, out var key) ? key : null);

    /// <inheritdoc />
    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (_byId.TryGetValue(id, out var key))
        {
            if (!key.IsActive || _byId.TryUpdate(id, key with { RevokedAt = at }, key))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }
}
