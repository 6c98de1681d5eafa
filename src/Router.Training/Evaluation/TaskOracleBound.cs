using Router.Training.Simulation;

namespace Router.Training.Evaluation;

/// <summary>
/// A bound, not a router: the most quality any router can get at each budget when it knows every query's task and
/// nothing else about it (<c>task-oracle</c>), or when it also knows every arm's outcome on a seeded fraction F of the
/// queries (<c>task-oracle+reveal=F</c>; how much per-query knowledge a target needs). It reads the test labels.
/// <para>
/// Exact for the knowledge it is given: the queries fall into groups the router cannot tell apart (the unrevealed
/// queries of one task; each revealed query alone); every group's arms are points (total cost, total quality) on the
/// test set, whose upper concave hull is what mixtures of arms within the group can reach. Spending a budget greedily
/// on the hull segments in order of quality gained per dollar solves the linear program "maximise quality subject to
/// cost ≤ budget" over all such mixtures (a fractional knapsack); a fractional segment sends a seeded share of its
/// group's queries to the dearer arm. The sweep parameter is a budget, not λ: the evaluation's λ grid is mapped onto
/// [0, 1] of the range between the cheapest and the dearest hull allocation (λ = 0 → cheapest, 10⁵ → dearest).
/// It ignores queues, so <c>router evaluate</c> leaves it out of the time-limited half of the report.
/// </para>
/// </summary>
internal sealed class TaskOracleBound : EvalPolicy
{
    private readonly double _revealed;
    private readonly int _seed;
    private readonly Dictionary<double, int[]> _choices = [];
    private List<Group> _groups = [];
    private List<Segment> _segments = [];
    private double _base;
    private double _full;

    /// <param name="revealedFraction">Share of the queries whose own outcomes the bound knows, in [0, 1].</param>
    /// <param name="seed">Seed of the revealed queries and of the share a fractional segment upgrades.</param>
    public TaskOracleBound(double revealedFraction, int seed)
        : base(revealedFraction == 0 ? "task-oracle" : FormattableString.Invariant($"task-oracle+reveal={revealedFraction:0.##}"))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(revealedFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(revealedFraction, 1);
        (_revealed, _seed) = (revealedFraction, seed);
    }

    public override bool Sweeps => true;

    public override void Prepare(EvalSet train, EvalSet test, CancellationToken cancellationToken)
    {
        var rng = new Random(_seed);
        var revealed = Enumerable.Range(0, test.N).Select(_ => rng.NextDouble() < _revealed).ToArray();
        var rows = new List<int[]>();
        rows.AddRange(Enumerable.Range(0, test.N).Where(i => !revealed[i]).GroupBy(i => test.Tasks[i], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToArray()));
        rows.AddRange(Enumerable.Range(0, test.N).Where(i => revealed[i]).Select(i => new[] { i }));

        _groups = rows.Select(r =>
        {
            var order = r.ToArray();
            rng.Shuffle(order);
            return new Group(order, Hull(test, r));
        }).ToList();
        _segments = _groups.SelectMany((g, gi) => g.Hull.Zip(g.Hull.Skip(1), (from, to) => new Segment(gi, (to.Quality - from.Quality) / (to.Cost - from.Cost), to.Cost - from.Cost)))
            .Select((s, order) => (s, order))
            .OrderByDescending(x => x.s.Slope).ThenBy(x => x.order) // stable: a group's own segments keep their order (concave hull)
            .Select(x => x.s).ToList();
        _base = _groups.Sum(g => g.Hull[0].Cost);
        _full = _base + _segments.Sum(s => s.Cost);
        _choices.Clear();
    }

    public override int Choose(int i, double lambda, QueueSimulator? queues, double now, double timeLimit)
    {
        if (!_choices.TryGetValue(lambda, out var choices))
        {
            choices = Allocate(_base + BudgetShare(lambda) * (_full - _base));
            _choices[lambda] = choices;
        }

        return choices[i];
    }

    /// <summary>λ grid position → budget share: 0 at λ = 0, (log₁₀λ + 2) / 7 on 10⁻²..10⁵, clamped to [0, 1].</summary>
    internal static double BudgetShare(double lambda) => lambda <= 0 ? 0 : Math.Clamp((Math.Log10(lambda) + 2) / 7, 0, 1);

    private int[] Allocate(double budget)
    {
        var vertex = new int[_groups.Count];
        var choices = new int[_groups.Sum(g => g.Rows.Length)];
        var spent = _base;
        (int Group, double Share)? partial = null;
        foreach (var s in _segments)
        {
            if (spent + s.Cost <= budget + 1e-12)
            {
                spent += s.Cost;
                vertex[s.Group]++;
                continue;
            }

            partial = (s.Group, (budget - spent) / s.Cost);
            break;
        }

        for (var g = 0; g < _groups.Count; g++)
        {
            var group = _groups[g];
            var arm = group.Hull[vertex[g]].Arm;
            var upgraded = partial is { } p && p.Group == g ? (int)Math.Floor(p.Share * group.Rows.Length) : 0;
            for (var r = 0; r < group.Rows.Length; r++)
            {
                choices[group.Rows[r]] = r < upgraded ? group.Hull[vertex[g] + 1].Arm : arm;
            }
        }

        return choices;
    }

    /// <summary>Upper concave hull of the arms' (total cost, total quality) over <paramref name="rows"/>, from the cheapest arm up.</summary>
    internal static IReadOnlyList<Vertex> Hull(EvalSet set, IReadOnlyList<int> rows)
    {
        var points = Enumerable.Range(0, set.K)
            .Select(a => new Vertex(a, rows.Sum(i => set.Cost[i * set.K + a]), rows.Sum(i => set.Quality[i * set.K + a])))
            .Where(v => double.IsFinite(v.Cost) && double.IsFinite(v.Quality))
            .OrderBy(v => v.Cost).ThenByDescending(v => v.Quality).ToList();
        var hull = new List<Vertex>();
        foreach (var p in points)
        {
            if (hull.Count > 0 && p.Quality <= hull[^1].Quality)
            {
                continue; // dearer and no better
            }

            // Drop the last vertex while it lies on or below the chord from the one before it to p.
            while (hull.Count >= 2 && (hull[^1].Quality - hull[^2].Quality) * (p.Cost - hull[^2].Cost) <= (p.Quality - hull[^2].Quality) * (hull[^1].Cost - hull[^2].Cost))
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(p);
        }

        return hull;
    }

    internal readonly record struct Vertex(int Arm, double Cost, double Quality);

    private sealed record Group(int[] Rows, IReadOnlyList<Vertex> Hull);

    private readonly record struct Segment(int Group, double Slope, double Cost);
}
