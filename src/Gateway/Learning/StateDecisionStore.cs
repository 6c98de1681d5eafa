using System.Collections.Concurrent;
using System.Text.Json;
using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Decisions;

namespace Router.Gateway.Learning;

/// <summary>
/// <see cref="IDecisionStore"/> over the state layer's <see cref="IDecisionRecordStore"/> (Redis with several replicas,
/// so feedback may reach any of them; TTL <c>Router:State:DecisionRecordTtl</c>, default 24 h). Stores what feedback
/// needs: ranked arms, propensity, candidates, the projected embedding, time, API key id and the personalisation
/// user key (hashed with <c>Router:Privacy:HashUsers</c>; not the full scores).
/// The newest <see cref="RecentCapacity"/> records are also kept in this replica's memory, so feedback to the replica
/// that served a request still lands while Redis is unreachable (it is then buffered on disk with the other events).
/// </summary>
public sealed class StateDecisionStore(IDecisionRecordStore records) : IDecisionStore
{
    /// <summary>Records kept in local memory (about 0.6 KB each).</summary>
    public const int RecentCapacity = 10_000;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, byte[]> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();

    /// <inheritdoc />
    public async ValueTask SaveAsync(DecisionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var decision = record.Decision;
        var stored = new StoredDecision
        {
            RankedArms = [.. decision.RankedArms],
            Candidates = decision.Scores.Count > 0 ? [.. decision.Scores.Select(s => s.Arm)] : [.. decision.RankedArms],
            Propensity = decision.Propensity,
            Policy = decision.Policy,
            Embedding = decision.Embedding.ToArray(),
            DecidedAt = record.DecidedAt,
            ApiKeyId = record.ApiKeyId,
            UserId = decision.UserId,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(stored, JsonOptions);
        if (_recent.TryGetValue(record.RequestId, out var previous))
        {
            _recent.TryUpdate(record.RequestId, bytes, previous); // re-saved (fallback arm served)
        }
        else if (_recent.TryAdd(record.RequestId, bytes))
        {
            _recentOrder.Enqueue(record.RequestId);
            while (_recentOrder.Count > RecentCapacity && _recentOrder.TryDequeue(out var oldest))
            {
                _recent.TryRemove(oldest, out _);
            }
        }

        await records.SetAsync(record.RequestId, bytes, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DecisionRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await records.GetAsync(requestId, cancellationToken);
        }
        catch (StateStoreUnavailableException) when (_recent.TryGetValue(requestId, out var local))
        {
            bytes = local;
        }

        if (bytes is null)
        {
            return null;
        }

        StoredDecision? stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredDecision>(bytes, JsonOptions);
        }
        catch (JsonException)
        {
            return null; // written by an incompatible version: treat as unknown
        }

        if (stored is null || stored.RankedArms.Length == 0)
        {
            return null;
        }

        var decision = new RoutingDecision
        {
            RequestId = requestId,
            RankedArms = stored.RankedArms,
            Propensity = stored.Propensity,
            Policy = stored.Policy ?? "unknown",
            Embedding = stored.Embedding,
            Scores = [.. stored.Candidates.Select(c => new ArmScore(c, 0, 0, 0, 0, 0, 0, null))],
            UserId = stored.UserId,
        };
        return new DecisionRecord(requestId, decision, stored.DecidedAt, stored.ApiKeyId);
    }

    private sealed record StoredDecision
    {
        public string[] RankedArms { get; init; } = [];

        public string[] Candidates { get; init; } = [];

        public double Propensity { get; init; } = 1;

        public string? Policy { get; init; }

        public float[] Embedding { get; init; } = [];

        public DateTimeOffset DecidedAt { get; init; }

        public string? ApiKeyId { get; init; }

        public string? UserId { get; init; }
    }
}
