namespace Router.Training.Evaluation;

/// <summary>A policy's points over the λ sweep (one point for fixed policies).</summary>
internal sealed record PolicyResult(string Name, IReadOnlyList<PointResult> Points);
