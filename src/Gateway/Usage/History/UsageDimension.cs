namespace Router.Gateway.Usage.History;

/// <summary>What usage is grouped by (<c>group_by=arm|key|model</c>).</summary>
public enum UsageDimension
{
    /// <summary>The arm that served (or last tried to serve) the request.</summary>
    Arm,

    /// <summary>The client key's id (<c>key_…</c>).</summary>
    Key,

    /// <summary>The upstream model the arm calls (its <c>upstreamModel</c>, else its name).</summary>
    Model,
}
