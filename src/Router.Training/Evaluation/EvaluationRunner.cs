using Router.Training.Embeddings;
using Router.Training.Simulation;

namespace Router.Training.Evaluation;

/// <summary>
/// Runs every policy over the λ grid on the test set: unconstrained (each query scored by its recorded quality and
/// cost) or under a <see cref="TimeConstraint"/> (queries arrive as a seeded Poisson stream, arms queue them).
/// </summary>
internal static class EvaluationRunner
{
    /// <summary>
    /// The default λ grid: 0 and 351 log-spaced values from 10⁻² to 10⁵ (50 per decade), dense enough that a policy
    /// whose predictions vary little within a task still shows its intermediate points, wide enough to reach "always
    /// the dearest arm". Consecutive λ values that route every query the same way are reported once.
    /// </summary>
    public static IReadOnlyList<double> DefaultLambdas { get; } =
        [0, .. Enumerable.Range(0, 351).Select(i => Math.Pow(10, -2 + i / 50.0))];

    public static void Prepare(EvalSet train, EvalSet test, IReadOnlyList<EvalPolicy> policies, CancellationToken cancellationToken)
    {
        ProgressUi.Run($"Fitting {policies.Count} policies", policies.Count, advance =>
        {
            foreach (var p in policies)
            {
                p.Prepare(train, test, cancellationToken);
                advance(1);
            }
        });
    }

    public static IReadOnlyList<PolicyResult> Run(EvalSet test, IReadOnlyList<EvalPolicy> policies, IReadOnlyList<double> lambdas, TimeConstraint? constraint, CancellationToken cancellationToken)
    {
        var arrivals = constraint is null ? null : QueueSimulator.PoissonArrivals(test.N, constraint.ArrivalRatePerSecond, constraint.Seed);
        return policies.Select(p =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var grid = p.Sweeps ? lambdas : [0.0];
            var points = new List<PointResult>();
            foreach (var lambda in grid)
            {
                var point = RunOne(test, p, lambda, constraint, arrivals);
                if (points.Count == 0 || points[^1].Quality != point.Quality || points[^1].Cost != point.Cost)
                {
                    points.Add(point);
                }
            }

            return new PolicyResult(p.Name, points);
        }).ToList();
    }

    private static PointResult RunOne(EvalSet test, EvalPolicy policy, double lambda, TimeConstraint? constraint, double[]? arrivals)
    {
        var queues = constraint is null ? null : new QueueSimulator(test.Arms);
        var perTask = new Dictionary<string, (double Q, double C, int N)>(StringComparer.Ordinal);
        var counts = new int[test.K];
        var calls = new int[test.K];
        double quality = 0, cost = 0;
        var timedOut = 0;
        for (var i = 0; i < test.N; i++)
        {
            var now = arrivals?[i] ?? 0;
            var served = policy.Serve(test, i, lambda, queues, now, constraint?.LimitSeconds ?? double.PositiveInfinity);
            var (a, q, c) = (served.Answered, served.Quality, served.Cost);
            calls[served.First]++;
            if (served.Escalated >= 0)
            {
                calls[served.Escalated]++;
            }

            if (queues is not null)
            {
                var (_, total) = queues.Submit(a, now, test.CompletionTokens[i * test.K + a]);
                if (total > constraint!.LimitSeconds)
                {
                    q = 0;
                    timedOut++;
                }
            }

            counts[a]++;
            quality += q;
            cost += c;
            var t = perTask.GetValueOrDefault(test.Tasks[i]);
            perTask[test.Tasks[i]] = (t.Q + q, t.C + c, t.N + 1);
        }

        return new PointResult
        {
            Lambda = lambda,
            Quality = quality / Math.Max(1, test.N),
            Cost = cost,
            TimedOut = timedOut,
            ArmShare = Enumerable.Range(0, test.K).Where(a => counts[a] > 0).ToDictionary(a => test.Data.Arms[a], a => counts[a] / (double)test.N),
            CallShare = Enumerable.Range(0, test.K).Where(a => calls[a] > 0).ToDictionary(a => test.Data.Arms[a], a => calls[a] / (double)test.N),
            PerTask = perTask.ToDictionary(kv => kv.Key, kv => (kv.Value.Q / kv.Value.N, kv.Value.C)),
        };
    }
}
