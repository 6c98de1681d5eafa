using Router.Training.Simulation;

namespace Router.Training.Evaluation;

/// <summary>
/// One-point baselines: <c>random</c> (uniform, seeded), <c>cheapest</c> (lowest mean training cost),
/// <c>arm:NAME</c> (always that arm) and <c>oracle</c> (per query the best actual quality, the cheapest among ties;
/// it sees the test labels, so it bounds what routing can do).
/// </summary>
internal sealed class FixedPolicy : EvalPolicy
{
    private readonly Func<EvalSet, EvalSet, int[]> _choose;
    private int[] _choices = [];

    private FixedPolicy(string name, Func<EvalSet, EvalSet, int[]> choose)
        : base(name) => _choose = choose;

    public override bool Sweeps => false;

    public static FixedPolicy Random(int seed) => new("random", (_, test) =>
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, test.N).Select(_ => rng.Next(test.K)).ToArray();
    });

    public static FixedPolicy Cheapest() => new("cheapest", (train, test) =>
    {
        var best = Enumerable.Range(0, train.K).MinBy(a => train.ColumnMean(train.Cost, a));
        return Enumerable.Repeat(best, test.N).ToArray();
    });

    public static FixedPolicy Arm(int arm, string name) => new("arm:" + name, (_, test) => Enumerable.Repeat(arm, test.N).ToArray());

    public static FixedPolicy Oracle() => new("oracle", (_, test) => Enumerable.Range(0, test.N).Select(i =>
    {
        var best = 0;
        for (var a = 1; a < test.K; a++)
        {
            var (qa, qb) = (test.Quality[i * test.K + a], test.Quality[i * test.K + best]);
            if (qa > qb || (qa == qb && test.Cost[i * test.K + a] < test.Cost[i * test.K + best]))
            {
                best = a;
            }
        }

        return best;
    }).ToArray());

    public override void Prepare(EvalSet train, EvalSet test, CancellationToken cancellationToken) => _choices = _choose(train, test);

    public override int Choose(int i, double lambda, QueueSimulator? queues, double now, double timeLimit) => _choices[i];
}
