namespace Router.Training.OffPolicy;

/// <summary>One estimator's value with its bootstrap 95% interval.</summary>
/// <param name="Estimator"><c>ips</c>, <c>snips</c>, <c>dr</c> or <c>dm</c>.</param>
/// <param name="Value">The point estimate.</param>
/// <param name="Low">2.5th percentile of the bootstrap distribution.</param>
/// <param name="High">97.5th percentile.</param>
public sealed record OpeEstimate(string Estimator, double Value, double Low, double High)
{
    /// <summary>True when [Low, High] holds <paramref name="truth"/>.</summary>
    public bool Covers(double truth) => Low <= truth && truth <= High;
}
