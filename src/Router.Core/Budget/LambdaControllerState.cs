namespace Router.Core.Budget;

/// <summary>The serialisable state of a <see cref="LambdaController"/> (snapshotted with the learned state).</summary>
public sealed record LambdaControllerState
{
    /// <summary>The integral term: log λ before the proportional correction.</summary>
    public double LogLambdaIntegral { get; init; }

    /// <summary>The λ in force.</summary>
    public double Lambda { get; init; }

    /// <summary>Costs (USD) of the requests in the window, oldest first.</summary>
    public double[] Costs { get; init; } = [];

    /// <summary>Completion times (Unix ms) of the requests in the window, oldest first.</summary>
    public long[] TimesUnixMs { get; init; } = [];

    /// <summary>Requests observed in all.</summary>
    public long Observed { get; init; }

    /// <summary>The target of the last observation, USD per 1,000 requests.</summary>
    public double TargetCostPer1k { get; init; }
}
