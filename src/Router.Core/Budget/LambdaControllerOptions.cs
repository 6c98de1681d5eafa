namespace Router.Core.Budget;

/// <summary>
/// Constants of the budget autopilot's λ controller (<c>Router:Autopilot</c>). Defaults were tuned on the simulated
/// streams of <c>LambdaControllerTests</c> (convergence within a few hundred requests, ±10% steady state).
/// </summary>
public sealed record LambdaControllerOptions
{
    /// <summary>Smallest λ the controller may set. Default 0.01 (cost dominates: the cheapest arm almost always).</summary>
    public double MinLambda { get; init; } = 0.01;

    /// <summary>Largest λ the controller may set. Default 1000 (quality dominates: the best arm whatever it costs).</summary>
    public double MaxLambda { get; init; } = 1000;

    /// <summary>Realised cost is the mean over the last this many routed requests. Default 100.</summary>
    public int Window { get; init; } = 100;

    /// <summary>No step before this many requests are in the window. Default 20.</summary>
    public int MinSamples { get; init; } = 20;

    /// <summary>Integral gain on log λ per request, per unit of relative error. Default 0.02.</summary>
    public double IntegralGain { get; init; } = 0.02;

    /// <summary>Proportional gain on log λ per unit of relative error. Default 0.5.</summary>
    public double ProportionalGain { get; init; } = 0.5;

    /// <summary>Throws when a value is out of range (called at start).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound, window or gain out of range.</exception>
    public void Validate()
    {
        if (!(MinLambda > 0) || !double.IsFinite(MaxLambda) || !(MaxLambda > MinLambda))
        {
            throw new ArgumentOutOfRangeException(nameof(MinLambda), "Router:Autopilot needs 0 < MinLambda < MaxLambda < ∞.");
        }

        if (Window < 1 || MinSamples < 1 || MinSamples > Window)
        {
            throw new ArgumentOutOfRangeException(nameof(Window), "Router:Autopilot needs 1 ≤ MinSamples ≤ Window.");
        }

        if (!(IntegralGain > 0) || !double.IsFinite(IntegralGain) || !(ProportionalGain >= 0) || !double.IsFinite(ProportionalGain))
        {
            throw new ArgumentOutOfRangeException(nameof(IntegralGain), "Router:Autopilot needs IntegralGain > 0 and ProportionalGain ≥ 0, finite.");
        }
    }
}
