using StackExchange.Redis;

namespace Router.Core.State;

/// <summary>
/// Every Redis key and channel the state layer uses, under one prefix. Keys written by one script share the
/// hash tag <c>{prefix}</c> so they live in one cluster slot; decision records do not (they are written alone and
/// spread better across a cluster).
/// </summary>
internal sealed class RedisKeyspace(string prefix)
{
    private readonly string _tag = RedisStateOptions.HashTag(prefix);

    public RedisKey Events => _tag + ":events";

    public RedisKey EventsTrimmedBefore => _tag + ":events:trimmed-before";

    public RedisKey Idempotency(string key) => _tag + ":idem:" + key;

    public string EventsChannel => _tag + ":events:appended";

    public RedisKey SnapshotIndex => _tag + ":snapshots";

    public RedisKey Snapshot(LogId id) => _tag + ":snapshot:" + id.ToString();

    public RedisKey Decision(string requestId) => prefix + ":decision:" + requestId;

    public RedisKey Arms => _tag + ":registry:arms";

    public RedisKey GlobalPolicy => _tag + ":registry:policy";

    public RedisKey KeyPolicies => _tag + ":registry:key-policies";

    public RedisKey RegistryVersion => _tag + ":registry:version";

    public string RegistryChannel => _tag + ":registry:changed";
}
