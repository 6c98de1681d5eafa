using System.Globalization;
using Router.Core.Learning;
using Router.Core.State;
using Router.Gateway.Admin;
using Router.Gateway.Learning;

namespace Router.Gateway.Personalisation;

/// <summary>
/// <c>/admin/users/{id}</c> on the admin group (admin key required). <c>{id}</c> is the end user's id as the client
/// sends it (<c>user</c> / <c>metadata.user_id</c>), or <c>key:&lt;key id&gt;</c> for a virtual key's profile; the
/// gateway derives the stored key from it (<see cref="UserKeys"/>) and never echoes or logs it. <c>GET</c> shows how the
/// user's routing differs from the shared model (per-arm personal terms, ratings, shrinkage weight); <c>DELETE</c>
/// appends a <see cref="UserForgotten"/> event that every replica folds (202; gone everywhere once folded). Errors are
/// ProblemDetails: 400 for an id over 256 characters or with control characters, 404 for a user with no state, 503
/// when the log refused the event.
/// </summary>
public static partial class UserAdminEndpoints
{
    private const string KeyPrefix = "key:";

    /// <summary>Maps the user endpoints on <see cref="AdminEndpointRouteBuilderExtensions.MapAdminGroup"/>.</summary>
    public static IEndpointRouteBuilder MapUserAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapAdminGroup().MapGroup("/users");
        users.MapGet("/{id}", Get);
        users.MapDelete("/{id}", ForgetAsync);
        return endpoints;
    }

    private static IResult Get(string id, LearnedState state, UserKeys keys)
    {
        if (Resolve(id, keys) is not { } key)
        {
            return BadId();
        }

        var personal = state.Personal;
        if (personal.Describe(key) is not { } view)
        {
            return NotFound();
        }

        return Results.Ok(new
        {
            user = view.User,
            mode = personal.Options.Mode.ToString(),
            feedbackCount = view.FeedbackCount,
            kappa = view.Kappa,
            arms = view.Arms.Select(a => new
            {
                arm = a.Arm,
                ratings = a.Ratings,
                meanResidual = a.MeanResidual,
                shrinkageWeight = a.ShrinkageWeight,
                factorTerm = a.FactorTerm,
                personalTerm = a.Term,
            }),
        });
    }

    private static async Task<IResult> ForgetAsync(string id, LearnedState state, UserKeys keys, LearningEventWriter writer, TimeProvider time,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (Resolve(id, keys) is not { } key)
        {
            return BadId();
        }

        if (!state.Personal.Contains(key))
        {
            return NotFound();
        }

        // One event per (user, log position): a retried DELETE is a duplicate, a later one after new feedback is not.
        var position = state.Stats.EntriesApplied.ToString(CultureInfo.InvariantCulture);
        AppendResult result;
        try
        {
            result = await writer.AppendAsync(LearningKinds.UserForgotten, string.Concat(key, "@", position),
                new UserForgotten { Arm = UserForgotten.AllArms, User = key }, 0, cancellationToken);
        }
        catch (StateStoreUnavailableException)
        {
            result = new AppendResult(AppendStatus.Rejected, null);
        }

        if (!result.IsAccepted)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Learning log unavailable",
                detail: "The forget event could not be stored; retry (a retry is not applied twice).");
        }

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Router.Gateway.Admin");
        LogForgotten(logger, key, time.GetUtcNow(), result.Status.ToString());
        return Results.Accepted(value: new { user = key, status = result.Status.ToString().ToLowerInvariant(), logId = result.Id?.ToString() });
    }

    private static string? Resolve(string id, UserKeys keys)
    {
        if (!UserKeys.IsValid(id))
        {
            return null;
        }

        return id.StartsWith(KeyPrefix, StringComparison.Ordinal) && id.Length > KeyPrefix.Length
            ? keys.ForApiKey(id[KeyPrefix.Length..])
            : keys.ForUser(id);
    }

    private static IResult BadId() => Results.ValidationProblem(
        new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["id"] = [$"A user id is 1 to {UserIdentityOptions.MaxUserIdLength} characters without control characters."],
        },
        statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown user",
        detail: "No personal state is held for this user (no feedback yet, evicted, or forgotten).");

    // The stored key only (a hash with Router:Privacy:HashUsers), never the clear id.
    [LoggerMessage(64, LogLevel.Information, "Admin forget user {UserKey} at {At:O}: {Outcome}")]
    private static partial void LogForgotten(ILogger logger, string userKey, DateTimeOffset at, string outcome);
}
