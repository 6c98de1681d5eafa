namespace Router.Core.State;

/// <summary>A cheap, local guess whether the shared store is reachable (no round trip).</summary>
internal interface IAvailabilityProbe
{
    bool IsAvailable { get; }
}
