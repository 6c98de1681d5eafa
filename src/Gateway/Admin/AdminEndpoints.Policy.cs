using Router.Core.Routing;
using Router.Core.State;
using Router.Gateway.Budget;

namespace Router.Gateway.Admin;

// The policy part of the admin API: PUT /admin/policy (global), PUT and DELETE /admin/policy/keys/{keyId} (per API
// key), their validation, and the policy view GET /admin/policy also returns (with the budget autopilot's state).
// Mapping, arms, stats and checkpoint export: AdminEndpoints.cs.
// (A plain comment, not XML: doc comments on several parts of a partial type are merged into the type's docs.)
public static partial class AdminEndpoints
{
    private static async Task<IResult> SetGlobalPolicyAsync(HttpContext http, IArmRegistryStore registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var (policy, error) = await ReadPolicyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var result = await registry.SetGlobalPolicyAsync(policy!, ExpectedVersion(http), cancellationToken);
        Log(http, time, "set-policy", "global", result);
        return result.Applied ? Results.Ok(PolicyView(http, registry.Current, result.Version)) : Conflict(result);
    }

    private static async Task<IResult> SetKeyPolicyAsync(HttpContext http, string keyId, IArmRegistryStore registry, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(keyId) || keyId.Length > 200)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["keyId"] = ["The key id must be 1 to 200 characters."] });
        }

        var (policy, error) = await ReadPolicyAsync(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var result = await registry.SetKeyPolicyAsync(keyId, policy, ExpectedVersion(http), cancellationToken);
        Log(http, time, "set-key-policy", keyId, result);
        return result.Applied ? Results.Ok(PolicyView(http, registry.Current, result.Version)) : Conflict(result);
    }

    private static async Task<IResult> RemoveKeyPolicyAsync(HttpContext http, string keyId, IArmRegistryStore registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await registry.SetKeyPolicyAsync(keyId, null, ExpectedVersion(http), cancellationToken);
        Log(http, time, "remove-key-policy", keyId, result);
        return result.Status switch
        {
            RegistryChangeStatus.Applied => Results.NoContent(),
            RegistryChangeStatus.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No policy for this key",
                detail: $"API key '{keyId}' has no policy override."),
            _ => Conflict(result),
        };
    }

    private static async Task<(RoutingPolicy? Policy, IResult? Error)> ReadPolicyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var (policy, error) = await ReadAsync<RoutingPolicy>(http, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var errors = new Dictionary<string, string[]>();
        CheckNonNegative(policy!.Lambda, "lambda", errors);
        CheckNonNegative(policy.Alpha, "alpha", errors);
        CheckNonNegative(policy.Beta, "beta", errors);
        CheckNonNegative(policy.TargetLatencySeconds, "targetLatencySeconds", errors);
        CheckPositive(policy.TargetCostPer1kRequests, "targetCostPer1kRequests", errors);
        CheckPositive(policy.TargetMonthlyUsd, "targetMonthlyUsd", errors);
        if (policy.TimeLimitSeconds is { } limit && (!double.IsFinite(limit) || limit <= 0))
        {
            errors["timeLimitSeconds"] = ["Must be > 0 (or null for no limit)."];
        }

        return errors.Count > 0 ? (null, Results.ValidationProblem(errors)) : (policy, null);
    }

    private static void CheckPositive(double? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is { } v && (!double.IsFinite(v) || v <= 0))
        {
            errors[field] = ["Must be a finite number > 0 (USD), or null for no target."];
        }
    }

    private static void CheckNonNegative(double? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 0))
        {
            errors[field] = ["Must be a finite number >= 0 (or null to inherit)."];
        }
    }

    private static object PolicyView(HttpContext http, ArmRegistrySnapshot snapshot, long? version = null)
    {
        // The budget autopilot: the target in force, the λ it set, the realised cost over its window.
        var effective = snapshot.PolicyFor(null);
        var autopilot = http.RequestServices.GetService<BudgetAutopilot>();
        var views = autopilot?.Views ?? new Dictionary<string, AutopilotView>();
        var global = views.TryGetValue(BudgetScopes.Global, out var g) && effective.HasBudgetTarget ? g : null;
        return new
        {
            version = version ?? snapshot.Version,
            global = snapshot.GlobalPolicy,
            effective,
            keys = snapshot.KeyPolicies,
            targetCostPer1kRequests = effective.TargetCostPer1kRequests ?? (effective.TargetMonthlyUsd is not null ? global?.TargetCostPer1kRequests : null),
            targetMonthlyUsd = effective.TargetMonthlyUsd,
            lambda = global?.Lambda ?? effective.Lambda,
            realisedCostPer1kRequests = global?.RealisedCostPer1kRequests,
            autopilot = views,
        };
    }
}
