namespace Router.Gateway.Usage.History;

/// <summary>The width of a usage bucket (<c>bucket=1m|1h|1d</c>); buckets start on UTC boundaries.</summary>
public enum UsageBucketSize
{
    /// <summary>One minute (<c>1m</c>).</summary>
    Minute,

    /// <summary>One hour (<c>1h</c>).</summary>
    Hour,

    /// <summary>One UTC day (<c>1d</c>).</summary>
    Day,
}
