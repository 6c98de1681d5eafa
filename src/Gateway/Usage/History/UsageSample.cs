namespace Router.Gateway.Usage.History;

/// <summary>One completed request as the usage history counts it.</summary>
/// <param name="Time">When it completed.</param>
/// <param name="Arm">Arm group (<see cref="UsageGroups.None"/> when no arm was tried).</param>
/// <param name="Key">Key group (<see cref="UsageGroups.None"/> on an open gateway).</param>
/// <param name="Model">Model group.</param>
/// <param name="IsError">Whether it ended in an error (anything but a success or a cache hit).</param>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="CostUsd">Cost in USD.</param>
/// <param name="LatencyMs">Arrival to end of response, in milliseconds.</param>
public sealed record UsageSample(
    DateTimeOffset Time, string Arm, string Key, string Model, bool IsError, long InputTokens, long OutputTokens, double CostUsd, double LatencyMs)
{
    /// <summary>The group value of this sample for <paramref name="dimension"/>.</summary>
    public string GroupOf(UsageDimension dimension) => dimension switch
    {
        UsageDimension.Arm => Arm,
        UsageDimension.Key => Key,
        _ => Model,
    };
}
