namespace Router.Training.Evaluation;

/// <summary>
/// The simulated time constraint of <c>router evaluate --time-limit</c>: queries arrive as a Poisson stream of
/// <see cref="ArrivalRatePerSecond"/>; a query whose wait plus generation exceeds <see cref="LimitSeconds"/> scores 0
/// (its cost is still paid: the arm generated the answer).
/// </summary>
internal sealed record TimeConstraint(double LimitSeconds, double ArrivalRatePerSecond, int Seed);
