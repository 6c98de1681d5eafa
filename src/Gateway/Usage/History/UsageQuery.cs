namespace Router.Gateway.Usage.History;

/// <summary>A usage read: buckets of <see cref="Size"/> whose start lies in [<see cref="From"/>, <see cref="To"/>].</summary>
/// <param name="From">Earliest bucket start (rounded down to a bucket boundary by the stores).</param>
/// <param name="To">Latest instant.</param>
/// <param name="Size">Bucket width.</param>
/// <param name="GroupBy">Dimension.</param>
/// <param name="Only">When set, only this group (e.g. one key for <c>/v1/usage</c>).</param>
public sealed record UsageQuery(DateTimeOffset From, DateTimeOffset To, UsageBucketSize Size, UsageDimension GroupBy, string? Only = null);
