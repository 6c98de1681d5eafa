namespace Router.Gateway.Budget;

/// <summary>
/// What a usage entry in the learning log carries for the budget autopilot: which controller it feeds and the
/// target in force when the request was served. Carrying the target in the entry (rather than reading the registry
/// while folding) keeps the autopilot a pure fold of the log, so every replica computes the same λ.
/// </summary>
/// <param name="Scope"><c>global</c>, or <c>key:&lt;id&gt;</c> for a key with a target of its own.</param>
/// <param name="TargetCostPer1k">USD per 1,000 routed requests; null when <paramref name="TargetMonthlyUsd"/> is given instead.</param>
/// <param name="TargetMonthlyUsd">A monthly budget, turned into a per-request target with the observed rate.</param>
/// <param name="StartLambda">The policy's λ, where a new controller starts.</param>
public sealed record BudgetTag(string Scope, double? TargetCostPer1k, double? TargetMonthlyUsd, double StartLambda);
