namespace Router.Training.Evaluation;

/// <summary>One (λ, quality, cost) point of a policy on the test set, with its per-task break-down.</summary>
internal sealed class PointResult
{
    public required double Lambda { get; init; }

    /// <summary>Mean quality over the test queries.</summary>
    public required double Quality { get; init; }

    /// <summary>Total USD over the test queries.</summary>
    public required double Cost { get; init; }

    /// <summary>Queries that missed the time limit (0 without one).</summary>
    public int TimedOut { get; init; }

    /// <summary>Share of queries routed to each arm, by arm name.</summary>
    public required IReadOnlyDictionary<string, double> ArmShare { get; init; }

    /// <summary>Share of queries on which each arm was called (a cascade calls two); equals <see cref="ArmShare"/> for one-call policies.</summary>
    public required IReadOnlyDictionary<string, double> CallShare { get; init; }

    /// <summary>Per task: mean quality and total cost.</summary>
    public required IReadOnlyDictionary<string, (double Quality, double Cost)> PerTask { get; init; }
}
