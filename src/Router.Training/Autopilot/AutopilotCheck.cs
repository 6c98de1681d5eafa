using System.Text.Json;

namespace Router.Training.Autopilot;

/// <summary>
/// Drives a running gateway with cost targets in turn and measures whether its budget autopilot holds them: for each
/// target, <c>PUT /admin/policy {"targetCostPer1kRequests": t}</c>, then <c>requestsPerTarget</c> routed requests one at
/// a time (prompts in the given order, no repeats, so no response-cache hit); afterwards the decision log export gives
/// every request's realised cost and the λ it was decided with. Pass: the realised cost per 1,000 requests of the
/// second half of each phase is within <see cref="Tolerance"/> of its target, and the phases' λ differ.
/// </summary>
internal static class AutopilotCheck
{
    /// <summary>The allowed relative deviation of the second half's realised cost from its target (±15%).</summary>
    public const double Tolerance = 0.15;

    /// <summary>Sends one routed request; returns the gateway's request id and the arm that served.</summary>
    public delegate Task<(string RequestId, string Arm)> Sender(string prompt, CancellationToken cancellationToken);

    /// <summary>One routed request of the run, in order.</summary>
    public sealed record Point(int Index, int Phase, double Target, string RequestId, string Arm, double CostUsd, double Lambda);

    /// <summary>One target's phase: the second half's realised cost per 1k and λ.</summary>
    public sealed record Phase(int Number, double Target, int Requests, int MeasuredRequests, double RealisedPer1k, double MeanLambda, double FinalLambda)
    {
        /// <summary>Realised / target − 1.</summary>
        public double Deviation => (RealisedPer1k / Target) - 1;

        /// <summary>Within <see cref="Tolerance"/>.</summary>
        public bool Holds => Math.Abs(Deviation) <= Tolerance;
    }

    /// <summary>The run: every request and the per-phase figures.</summary>
    public sealed record Result(IReadOnlyList<Point> Points, IReadOnlyList<Phase> Phases)
    {
        /// <summary>Every phase within tolerance and the phases' second-half mean λ all different.</summary>
        public bool Passed => Phases.All(p => p.Holds) && Phases.Select(p => p.MeanLambda).Distinct().Count() == Phases.Count;
    }

    /// <summary>Runs the phases on <paramref name="gateway"/>, sending through <paramref name="send"/> (default: the gateway client's own chat call).</summary>
    public static async Task<Result> RunAsync(
        GatewayAdminClient gateway, IReadOnlyList<string> prompts, IReadOnlyList<double> targets, int requestsPerTarget, TimeProvider time,
        Sender? send, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(time);
        if (prompts.Count < targets.Count * requestsPerTarget)
        {
            throw new ArgumentException($"{targets.Count} targets × {requestsPerTarget} requests need as many distinct prompts; the data has {prompts.Count}");
        }

        send ??= gateway.ChatAsync;

        // The export's window opens a second early: decision times are the requests' arrival times.
        var started = time.GetUtcNow().AddSeconds(-1);
        var sent = new List<(int Phase, double Target, string RequestId, string Arm)>();
        for (var phase = 0; phase < targets.Count; phase++)
        {
            await gateway.SetGlobalTargetAsync(targets[phase], cancellationToken);
            for (var i = 0; i < requestsPerTarget; i++)
            {
                var (id, arm) = await send(prompts[sent.Count], cancellationToken);
                sent.Add((phase, targets[phase], id, arm));
                if ((i + 1) % 100 == 0)
                {
                    progress?.Report($"target {targets[phase]}: {i + 1}/{requestsPerTarget} requests");
                }
            }
        }

        var logged = await WaitForDecisionsAsync(gateway, started, sent.Select(s => s.RequestId).ToHashSet(StringComparer.Ordinal), time, cancellationToken);
        var points = new List<Point>(sent.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            var s = sent[i];
            if (logged.TryGetValue(s.RequestId, out var d) && d.Status is >= 200 and < 300)
            {
                points.Add(new Point(i, s.Phase, s.Target, s.RequestId, s.Arm, d.CostUsd, d.Lambda));
            }
        }

        var phases = new List<Phase>();
        for (var phase = 0; phase < targets.Count; phase++)
        {
            var first = phase * requestsPerTarget;
            var secondHalf = points.Where(p => p.Phase == phase && p.Index >= first + (requestsPerTarget / 2)).ToList();
            var mine = points.Where(p => p.Phase == phase).ToList();
            phases.Add(new Phase(phase + 1, targets[phase], mine.Count, secondHalf.Count,
                secondHalf.Count == 0 ? double.NaN : 1000 * secondHalf.Average(p => p.CostUsd),
                secondHalf.Count == 0 ? double.NaN : secondHalf.Average(p => p.Lambda),
                mine.Count == 0 ? double.NaN : mine[^1].Lambda));
        }

        return new Result(points, phases);
    }

    /// <summary>Fisher–Yates with a seeded generator: the same order on every run (in place; returns <paramref name="items"/>).</summary>
    public static List<string> Shuffle(List<string> items, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var random = new Random(seed);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items;
    }

    // The decision record is written when its request completes, just after the response: poll the export until
    // every sent request is in it (or 30 s have passed; missing ones are then left out of the figures).
    private static async Task<Dictionary<string, (int Status, double CostUsd, double Lambda)>> WaitForDecisionsAsync(
        GatewayAdminClient gateway, DateTimeOffset from, HashSet<string> wanted, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(30);
        while (true)
        {
            using var buffer = new MemoryStream();
            await gateway.ExportAsync(from, null, buffer, cancellationToken);
            var found = Parse(buffer.ToArray(), wanted);
            if (found.Count == wanted.Count || time.GetUtcNow() > deadline)
            {
                return found;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    private static Dictionary<string, (int Status, double CostUsd, double Lambda)> Parse(byte[] jsonl, HashSet<string> wanted)
    {
        var result = new Dictionary<string, (int, double, double)>(StringComparer.Ordinal);
        using var reader = new StreamReader(new MemoryStream(jsonl));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (!r.TryGetProperty("requestId", out var id) || id.GetString() is not { } requestId || !wanted.Contains(requestId)
                || !r.TryGetProperty("outcome", out var outcome) || outcome.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var lambda = r.TryGetProperty("lambda", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : double.NaN;
            result[requestId] = (outcome.GetProperty("status").GetInt32(), outcome.GetProperty("costUsd").GetDouble(), lambda);
        }

        return result;
    }
}
