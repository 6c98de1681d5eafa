namespace Router.Gateway.Auth;

/// <summary>
/// Where client keys live: in process (<see cref="InMemoryApiKeyStore"/>) or in Redis (<see cref="RedisApiKeyStore"/>,
/// shared by every replica). Thread-safe. Redis failures surface as exceptions; the caller decides (auth fails closed).
/// </summary>
public interface IApiKeyStore
{
    /// <summary>The key whose secret hashes to <paramref name="secretHash"/> (active or revoked), or null.</summary>
    ValueTask<ClientApiKey?> FindBySecretHashAsync(string secretHash, CancellationToken cancellationToken);

    /// <summary>Whether any active key exists (no key = open on loopback only).</summary>
    ValueTask<bool> HasActiveKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new key.</summary>
    Task AddAsync(ClientApiKey key, CancellationToken cancellationToken);

    /// <summary>All keys, active and revoked, oldest first.</summary>
    Task<IReadOnlyList<ClientApiKey>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One key by id, or null.</summary>
    Task<ClientApiKey?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Revokes a key; false when no such key exists. Revoking twice keeps the first time.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
