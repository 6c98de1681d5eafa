using System.Text.Json;
using Router.Gateway.Arms;
using Router.Gateway.Auth;
using Router.Gateway.Telemetry;

namespace Router.Gateway.Admin;

/// <summary>
/// <c>/admin/keys</c> on the admin group (admin key required): <c>POST</c> creates a key and returns its secret once,
/// <c>GET</c> lists keys with today's and this month's spend, <c>GET /{id}</c> shows one, <c>DELETE /{id}</c> revokes.
/// Errors are ProblemDetails; a store outage answers 503.
/// </summary>
public static class ApiKeyAdminEndpoints
{
    /// <summary>Maps the key endpoints on <see cref="AdminEndpointRouteBuilderExtensions.MapAdminGroup"/>.</summary>
    public static IEndpointRouteBuilder MapApiKeyAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var keys = endpoints.MapAdminGroup().MapGroup("/keys");
        keys.MapPost("", CreateAsync);
        keys.MapGet("", ListAsync);
        keys.MapGet("/{id}", GetAsync);
        keys.MapDelete("/{id}", RevokeAsync);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IApiKeyStore store, IArmCatalog catalog, TimeProvider time, ILoggerFactory loggers)
    {
        CreateApiKeyRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<CreateApiKeyRequest>(context.Request.Body, ApiKeyJson.Options, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON body", detail: ex.Message);
        }

        var errors = Validate(request, catalog);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var secret = ApiKeySecrets.NewSecret();
        var key = new ClientApiKey(request!)
        {
            Id = ApiKeySecrets.NewId(),
            Name = request!.Name!.Trim(),
            SecretHash = ApiKeySecrets.Hash(secret),
            Prefix = ApiKeySecrets.DisplayPrefix(secret),
            CreatedAt = time.GetUtcNow(),
            AllowedArms = request.AllowedArms is { Count: > 0 } arms ? [.. arms.Select(a => a.Trim())] : null,
        };
        return await Guard(async () =>
        {
            await store.AddAsync(key, context.RequestAborted);
            HardeningLog.KeyCreated(loggers.CreateLogger(typeof(ApiKeyAdminEndpoints)), key.Id, key.Name);
            return Results.Json(View(key, null, secret), ApiKeyJson.Options, statusCode: StatusCodes.Status201Created);
        });
    }

    private static Task<IResult> ListAsync(HttpContext context, IApiKeyStore store, ISpendLedger spend) => Guard(async () =>
    {
        var keys = await store.ListAsync(context.RequestAborted);
        var views = new List<ApiKeyView>(keys.Count);
        foreach (var key in keys)
        {
            views.Add(View(key, await spend.GetAsync(key.Id, context.RequestAborted), null));
        }

        return Results.Json(new { @object = "list", data = views }, ApiKeyJson.Options);
    });

    private static Task<IResult> GetAsync(HttpContext context, string id, IApiKeyStore store, ISpendLedger spend) => Guard(async () =>
    {
        var key = await store.GetAsync(id, context.RequestAborted);
        return key is null
            ? NotFound(id)
            : Results.Json(View(key, await spend.GetAsync(key.Id, context.RequestAborted), null), ApiKeyJson.Options);
    });

    private static Task<IResult> RevokeAsync(HttpContext context, string id, IApiKeyStore store, TimeProvider time, ILoggerFactory loggers) => Guard(async () =>
    {
        if (!await store.RevokeAsync(id, time.GetUtcNow(), context.RequestAborted))
        {
            return NotFound(id);
        }

        HardeningLog.KeyRevoked(loggers.CreateLogger(typeof(ApiKeyAdminEndpoints)), id);
        return Results.NoContent();
    });

    private static Dictionary<string, string[]> Validate(CreateApiKeyRequest? request, IArmCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["A JSON object is required."];
            return errors;
        }

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = ["Required, at most 200 characters."];
        }

        if (request.Lambda is { } lambda && (!double.IsFinite(lambda) || lambda <= 0))
        {
            errors["lambda"] = ["Must be a positive number."];
        }

        if (request.DailySpendCapUsd is { } day && (!double.IsFinite(day) || day < 0))
        {
            errors["dailySpendCapUsd"] = ["Must be >= 0."];
        }

        if (request.MonthlySpendCapUsd is { } month && (!double.IsFinite(month) || month < 0))
        {
            errors["monthlySpendCapUsd"] = ["Must be >= 0."];
        }

        if (request.RequestsPerMinute is < 1)
        {
            errors["requestsPerMinute"] = ["Must be >= 1."];
        }

        if (request.TokensPerMinute is < 1)
        {
            errors["tokensPerMinute"] = ["Must be >= 1."];
        }

        if (request.AllowedArms is { } arms)
        {
            var unknown = arms.Where(a => string.IsNullOrWhiteSpace(a) || !catalog.TryGet(a.Trim(), out _)).ToList();
            if (unknown.Count > 0)
            {
                errors["allowedArms"] = [$"Unknown arm(s): {string.Join(", ", unknown)}."];
            }
        }

        return errors;
    }

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or Router.Core.State.StateStoreUnavailableException or TimeoutException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Key store unavailable", detail: "Redis could not be reached; retry.");
        }
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such key", detail: $"No API key has the id '{id}'.");

    private static ApiKeyView View(ClientApiKey key, SpendTotals? spend, string? secret) => new(key)
    {
        Id = key.Id,
        Name = key.Name,
        Key = secret,
        Prefix = key.Prefix,
        CreatedAt = key.CreatedAt,
        RevokedAt = key.RevokedAt,
        Active = key.IsActive,
        SpendTodayUsd = spend?.TodayUsd,
        SpendMonthUsd = spend?.MonthUsd,
    };
}
