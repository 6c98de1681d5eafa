namespace Router.Gateway.Budget;

/// <summary>One autopilot controller as <c>GET /admin/policy</c> shows it.</summary>
/// <param name="Lambda">The λ in force.</param>
/// <param name="TargetCostPer1kRequests">The target of the last request folded, USD per 1,000 routed requests.</param>
/// <param name="TargetMonthlyUsd">The monthly budget the target came from, if any.</param>
/// <param name="RealisedCostPer1kRequests">Mean cost of the requests in the window, USD per 1,000.</param>
/// <param name="WindowRequests">Requests in the window.</param>
/// <param name="ObservedRequests">Requests folded in all.</param>
public sealed record AutopilotView(
    double Lambda, double TargetCostPer1kRequests, double? TargetMonthlyUsd, double RealisedCostPer1kRequests, int WindowRequests, long ObservedRequests);
