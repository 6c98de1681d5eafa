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

    /// <summary>RouteLLM's strong/weak pair behind each policy's <c>apgr</c>, <c>cpt50</c>, <c>cpt80</c>; null when the reference is the cheapest arm.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PgrPair? PgrPair { get; init; }

    /// <summary>True when --train and --test share no task (RouteLLM's cross-domain protocol); false for a split or shared tasks.</summary>
    public bool CrossDomain { get; init; }

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

    /// <summary>RouteLLM's APGR on the <see cref="EvaluationReport.PgrPair"/> (see <see cref="RouteLlmMetrics"/>).</summary>
    public double? Apgr { get; init; }

    /// <summary>RouteLLM's CPT(50%): percent of strong calls (on the pair's axis) to recover half the gap.</summary>
    public double? Cpt50 { get; init; }

    /// <summary>RouteLLM's CPT(80%).</summary>
    public double? Cpt80 { get; init; }

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

    /// <summary>x of the PGR curve: percent of strong calls (or its cost equivalent, see <see cref="PgrPair.Axis"/>).</summary>
    public double? StrongPct { get; init; }

    /// <summary>Performance gap recovered at this point.</summary>
    public double? Pgr { get; init; }
}

/// <summary>The strong/weak pair of RouteLLM's metrics and the axis of the PGR curve.</summary>
public sealed record PgrPair
{
    public required string Strong { get; init; }

    public required string Weak { get; init; }

    public required double StrongQuality { get; init; }

    public required double WeakQuality { get; init; }

    public required double StrongCost { get; init; }

    public required double WeakCost { get; init; }

    /// <summary><c>strong_calls</c> (two arms: RouteLLM's percent of calls to the strong model) or <c>cost</c> (K arms).</summary>
    public required string Axis { get; init; }
}
