namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// Stored responses by id, for a TTL (<see cref="ResponsesOptions.StoreTtl"/>): in Redis when the state layer is on
/// Redis (every replica can continue a conversation), else in a bounded in-process store. Thread-safe.
/// </summary>
public interface IResponseStore
{
    /// <summary>Stores (or replaces) <paramref name="response"/>.</summary>
    Task SaveAsync(StoredResponse response, CancellationToken cancellationToken);

    /// <summary>The stored response <paramref name="id"/>; null when unknown, deleted or expired.</summary>
    Task<StoredResponse?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="id"/>; false when it was not there.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
