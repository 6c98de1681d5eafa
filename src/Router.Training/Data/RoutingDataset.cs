namespace Router.Training.Data;

/// <summary>
/// A routing data set: queries × arms, each cell an <see cref="ArmOutcome"/> or missing. Immutable once loaded.
/// </summary>
public sealed class RoutingDataset
{
    /// <summary>Creates a data set; every query's <see cref="DatasetQuery.Outcomes"/> must have one entry per arm.</summary>
    public RoutingDataset(IReadOnlyList<string> arms, IReadOnlyList<DatasetQuery> queries)
    {
        foreach (var q in queries)
        {
            if (q.Outcomes.Length != arms.Count)
            {
                throw new ArgumentException($"query {q.Id} has {q.Outcomes.Length} outcomes for {arms.Count} arms", nameof(queries));
            }
        }

        Arms = arms;
        Queries = queries;
    }

    /// <summary>Arm (model) names, in column order.</summary>
    public IReadOnlyList<string> Arms { get; }

    /// <summary>The queries.</summary>
    public IReadOnlyList<DatasetQuery> Queries { get; }

    /// <summary>What the loaders skipped or assumed (ignored columns), for the report's notes.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Index of an arm by name, or -1.</summary>
    public int ArmIndex(string name)
    {
        for (var i = 0; i < Arms.Count; i++)
        {
            if (string.Equals(Arms[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A data set with the same arms and a subset of the queries.</summary>
    public RoutingDataset WithQueries(IEnumerable<DatasetQuery> queries) => new(Arms, queries.ToList()) { Notes = Notes };

    /// <summary>
    /// A seeded split: every task is shuffled with <paramref name="seed"/> and cut at <paramref name="testFraction"/>,
    /// so train and test hold every task in the same proportion.
    /// </summary>
    public (RoutingDataset Train, RoutingDataset Test) Split(double testFraction, int seed)
    {
        var rng = new Random(seed);
        var train = new List<DatasetQuery>();
        var test = new List<DatasetQuery>();
        foreach (var group in Queries.GroupBy(q => q.Task, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToArray();
            rng.Shuffle(items);
            var nTest = (int)Math.Round(items.Length * testFraction);
            test.AddRange(items.Take(nTest));
            train.AddRange(items.Skip(nTest));
        }

        return (WithQueries(train), WithQueries(test));
    }

    /// <summary>
    /// Seeded k-fold assignment stratified by task: returns for each query its fold in [0, k).
    /// </summary>
    public int[] Folds(int k, int seed)
    {
        var rng = new Random(seed);
        var folds = new int[Queries.Count];
        var index = Queries.Select((q, i) => (q, i)).ToList();
        foreach (var group in index.GroupBy(x => x.q.Task, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.Select(x => x.i).ToArray();
            rng.Shuffle(items);
            for (var j = 0; j < items.Length; j++)
            {
                folds[items[j]] = j % k;
            }
        }

        return folds;
    }
}
