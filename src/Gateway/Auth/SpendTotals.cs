namespace Router.Gateway.Auth;

/// <summary>A key's spend in USD in the current UTC day and calendar month.</summary>
public readonly record struct SpendTotals(double TodayUsd, double MonthUsd);
