namespace Router.Training.OffPolicy;

/// <summary>One estimator's value with its 95% interval.</summary>
/// <param name="Estimator"><c>ips</c>, <c>snips</c>, <c>dr</c>, <c>dr-bootstrap</c> or <c>dm</c>.</param>
/// <param name="Value">The point estimate.</param>
/// <param name="Low">The interval's lower end.</param>
/// <param name="High">Its upper end.</param>
/// <param name="Interval">How the interval was made: <see cref="Bootstrap"/> or <see cref="ModelNormal"/>.</param>
public sealed record OpeEstimate(string Estimator, double Value, double Low, double High, string Interval = OpeEstimate.Bootstrap)
{
    /// <summary>The percentile bootstrap: 2.5th and 97.5th percentiles of the resampled estimates.</summary>
    public const string Bootstrap = "percentile bootstrap";

    /// <summary>The normal interval with DR's model-based variance (<see cref="OffPolicyEstimator.DrModelVariance"/>).</summary>
    public const string ModelNormal = "normal, model-based variance";

    /// <summary>True when [Low, High] holds <paramref name="truth"/>.</summary>
    public bool Covers(double truth) => Low <= truth && truth <= High;
}
