using System.Text.Json;
using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Decisions;

namespace Router.Gateway.Learning;

/// <summary>
/// <see cref="IDecisionStore"/> over the state layer's <see cref="IDecisionRecordStore"/> (Redis with several replicas,
/// so feedback may reach any of them; TTL <c>Router:State:DecisionRecordTtl</c>, default 24 h). Stores what feedback
/// needs: ranked arms, propensity, candidates, the projected embedding, time and API key id (not the full scores).
/// </summary>
public sealed class StateDecisionStore(IDecisionRecordStore records) : IDecisionStore
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

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
        };
        await records.SetAsync(record.RequestId, JsonSerializer.SerializeToUtf8Bytes(stored, JsonOptions), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DecisionRecord?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        var bytes = await records.GetAsync(requestId, cancellationToken);
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
    }
}
