using System.Text.Json.Serialization;

namespace Router.Training.Evaluation;

/// <summary>
/// <c>report.json</c> (DESIGN.md, "The router CLI"): the fields the contract names (<c>reference_arm</c>,
/// <c>test_queries</c>, <c>policies[].name/aiq/points[].lambda/quality/cost/quality_pct_of_reference/cost_pct_of_reference</c>)
/// plus extras. Serialised in snake_case.
/// </summary>
public sealed record EvaluationReport
{
    public required string ReferenceArm { get; init; }

    public required int TestQueries { get; init; }

    public required int TrainQueries { get; init; }

    /// <summary>Mean quality of the reference arm on the test set.</summary>
    public required double ReferenceQuality { get; init; }

    /// <summary>Total cost (USD) of the reference arm on the test set.</summary>
    public required double ReferenceCost { get; init; }

    /// <summary>The cost AIQ integrates to (largest cost among all policies).</summary>
    public required double MaxCost { get; init; }

    public required int Seed { get; init; }

    public required string Encoder { get; init; }

    public required IReadOnlyList<string> Tasks { get; init; }

    public required IReadOnlyList<string> Arms { get; init; }

    /// <summary>Unconstrained results.</summary>
    public required IReadOnlyList<PolicyReport> Policies { get; init; }

    /// <summary>Results under <c>--time-limit</c>, when given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TimeLimitedReport? TimeLimited { get; init; }

    /// <summary>Settings and other facts about the run (data paths, test split, λ grid size, run time).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>The constrained half of a report.</summary>
public sealed record TimeLimitedReport
{
    public required double TimeLimitSeconds { get; init; }

    public required double ArrivalRatePerSecond { get; init; }

    public required double ReferenceQuality { get; init; }

    public required double ReferenceCost { get; init; }

    public required double MaxCost { get; init; }

    public required IReadOnlyList<PolicyReport> Policies { get; init; }
}

/// <summary>One policy of a report.</summary>
public sealed record PolicyReport
{
    public required string Name { get; init; }

    public required double Aiq { get; init; }

    public required IReadOnlyDictionary<string, double> AiqPerTask { get; init; }

    public required IReadOnlyList<PointReport> Points { get; init; }
}

/// <summary>One point of a policy.</summary>
public sealed record PointReport
{
    public required double Lambda { get; init; }

    public required double Quality { get; init; }

    public required double Cost { get; init; }

    public required double QualityPctOfReference { get; init; }

    public required double CostPctOfReference { get; init; }

    public int TimedOut { get; init; }

    public required IReadOnlyDictionary<string, double> ArmShare { get; init; }
}
