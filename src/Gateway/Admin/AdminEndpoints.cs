using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Core.Arms;
using Router.Core.State;
using Router.Gateway.Arms;
using Router.Gateway.Configuration;
using Router.Gateway.Learning;

namespace Router.Gateway.Admin;

/// <summary>
/// The admin API on <see cref="AdminEndpointRouteBuilderExtensions.MapAdminGroup"/> (admin key required): arms and
/// policies in the shared registry (every replica applies a change within a second), stats folded from the shared
/// log (equal on every replica), and checkpoint export. Errors are ProblemDetails: 400 with field names, 404, 409 on
/// a conflict, 503 while the state store is unreachable. Every change is logged with who and when.
/// </summary>
public static partial class AdminEndpoints
{
    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,

        // "simulation": null or "tags": null is a 400 here, not a NullReferenceException later.
        RespectNullableAnnotations = true,

        // {"name":"x","name":"y"} created arm "y" (last one won, silently): refuse it.
        AllowDuplicateProperties = false,
    };

    /// <summary>Maps <c>/admin/arms</c>, <c>/admin/policy</c>, <c>/admin/stats</c>, <c>/admin/checkpoint</c>.</summary>
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = endpoints.MapAdminGroup();
        admin.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (StateStoreUnavailableException ex)
            {
                var http = context.HttpContext;
                AdminLog.StoreUnavailable(Logger(http), http.Request.Method, http.Request.Path, ex.Message);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "State store unavailable",
                    detail: "The shared registry (Redis) is unreachable; retry when /health/ready is healthy.");
            }
        });

        admin.MapGet("/arms", ListArmsAsync);
        admin.MapPost("/arms", AddArmAsync);
        admin.MapPatch("/arms/{name}", PatchArmAsync);
        admin.MapDelete("/arms/{name}", RemoveArmAsync);
        admin.MapGet("/policy", (HttpContext http, IArmRegistryStore registry) => Results.Ok(PolicyView(http, registry.Current)));
        admin.MapPut("/policy", SetGlobalPolicyAsync);
        admin.MapPut("/policy/keys/{keyId}", SetKeyPolicyAsync);
        admin.MapDelete("/policy/keys/{keyId}", RemoveKeyPolicyAsync);
        admin.MapGet("/stats", Stats);
        admin.MapPost("/checkpoint", ExportCheckpoint);
        return endpoints;
    }

    // The registry entries (POSTable as they are), and beside them what this replica sees of each arm now.
    private static async Task<IResult> ListArmsAsync(IArmRegistryStore registry, IArmCatalog catalog, IServiceProvider services, CancellationToken cancellationToken)
    {
        var snapshot = registry.Current;
        var entries = (snapshot.Version > 0 ? snapshot.Arms.Select(a => Entry(a, catalog)) : catalog.Entries).ToArray();
        var (live, predictions) = await ArmLiveView.BuildAsync([.. entries.Select(e => e.Name)], services, cancellationToken);
        return Results.Ok(new { version = snapshot.Version, arms = entries.Select(View), live, predictions });
    }

    private static async Task<IResult> AddArmAsync(HttpContext http, IArmRegistryStore registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var (options, error) = await ReadAsync<ArmOptions>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var errors = ValidateArm(options!);
        if (errors is not null)
        {
            return errors;
        }

        // The definition carries the transport settings (simulation, api-version), so the registry keeps them.
        var entry = CatalogArm.FromOptions(options!);
        var arm = entry.Definition;
        var result = await registry.AddArmAsync(arm, cancellationToken);
        Log(http, time, "add-arm", arm.Name, result);
        return result.Status switch
        {
            RegistryChangeStatus.Applied => Results.Created($"/admin/arms/{Uri.EscapeDataString(arm.Name)}", new { version = result.Version, arm = View(entry) }),
            RegistryChangeStatus.AlreadyExists => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Arm exists",
                detail: $"An arm named '{arm.Name}' exists; PATCH it or DELETE it first."),
            _ => Conflict(result),
        };
    }

    private static async Task<IResult> PatchArmAsync(HttpContext http, string name, IArmRegistryStore registry, IArmCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var (patch, error) = await ReadAsync<ArmPatch>(http, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (patch!.IsEmpty)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Send at least one field to change."] });
        }

        await registry.RefreshAsync(cancellationToken);
        var current = Find(registry.Current, name);
        if (current is null)
        {
            return NotFound(name);
        }

        var entry = Entry(current, catalog);
        var options = ToOptions(entry) with
        {
            Enabled = patch.Enabled ?? current.Enabled,
            InputPricePerMillion = patch.InputPricePerMillion ?? current.InputPricePerMillion,
            OutputPricePerMillion = patch.OutputPricePerMillion ?? current.OutputPricePerMillion,
            MaxConcurrency = patch.MaxConcurrency ?? current.MaxConcurrency,
            TimeoutSeconds = patch.TimeoutSeconds ?? current.Timeout.TotalSeconds,
            TimeToFirstTokenSeconds = patch.TimeToFirstTokenSeconds ?? current.TimeToFirstTokenSeconds,
            TokensPerSecond = patch.TokensPerSecond ?? current.TokensPerSecond,
            Tags = patch.Tags ?? [.. current.Tags],
            ApiVersion = patch.ApiVersion ?? entry.ApiVersion,
            Simulation = patch.Simulation ?? entry.Simulation,
        };
        var errors = ValidateArm(options);
        if (errors is not null)
        {
            return errors;
        }

        var updated = CatalogArm.FromOptions(options);
        var arm = updated.Definition;
        var result = await registry.UpdateArmAsync(arm, ExpectedVersion(http), cancellationToken);
        Log(http, time, "update-arm", arm.Name, result);
        return result.Status switch
        {
            RegistryChangeStatus.Applied => Results.Ok(new { version = result.Version, arm = View(updated) }),
            RegistryChangeStatus.NotFound => NotFound(name),
            _ => Conflict(result),
        };
    }

    private static async Task<IResult> RemoveArmAsync(HttpContext http, string name, IArmRegistryStore registry, TimeProvider time, CancellationToken cancellationToken)
    {
        await registry.RefreshAsync(cancellationToken);
        var current = Find(registry.Current, name);
        if (current is null)
        {
            return NotFound(name);
        }

        var result = await registry.RemoveArmAsync(current.Name, ExpectedVersion(http), cancellationToken);
        Log(http, time, "remove-arm", current.Name, result);
        return result.Status switch
        {
            RegistryChangeStatus.Applied => Results.NoContent(),
            RegistryChangeStatus.NotFound => NotFound(name),
            _ => Conflict(result),
        };
    }

    private static IResult Stats(IArmCatalog catalog, LearnedState state, IServiceProvider services)
    {
        var (engineBytes, stats, personalBytes) = state.Capture();
        var engine = state.Engine;
        var learned = engine.Arms.ToHashSet(StringComparer.Ordinal);
        var totalRequests = stats.Arms.Values.Sum(a => a.Requests);
        var names = catalog.Arms.Select(a => a.Name).Concat(stats.Arms.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var arms = names.Select(name =>
        {
            var a = stats.Arms.TryGetValue(name, out var s) ? s : new ArmStats();
            var feedbackCount = a.Scores + a.ThumbsUp + a.ThumbsDown;
            return new
            {
                name,
                inCatalog = catalog.TryGet(name, out _),
                learned = learned.Contains(name),
                requests = a.Requests,
                trafficShare = totalRequests > 0 ? (double)a.Requests / totalRequests : 0,
                spendUsd = a.SpendUsd,
                meanLatencySeconds = a.Requests > 0 ? a.DurationSecondsSum / a.Requests : (double?)null,
                meanTimeToFirstTokenSeconds = a.Requests > 0 ? a.TimeToFirstTokenSecondsSum / a.Requests : (double?)null,
                scores = a.Scores,
                meanScore = a.Scores > 0 ? a.ScoreSum / a.Scores : (double?)null,
                thumbsUp = a.ThumbsUp,
                thumbsDown = a.ThumbsDown,
                feedback = feedbackCount,
                learningEvents = a.Events,
            };
        }).ToArray();

        var serialized = EngineFold.Document(engineBytes, stats, personal: personalBytes);
        var health = services.GetService<RouterStateHealth>()?.GetReport();
        return Results.Ok(new
        {
            stateHash = LearnedState.Hash(serialized),
            engineHash = LearnedState.Hash(engineBytes),
            personalHash = LearnedState.Hash(personalBytes),
            personalUsers = state.Personal.UserCount,
            stateBytes = serialized.Length,
            stateVersion = stats.EntriesApplied,
            engineEventsApplied = engine.EventsApplied,
            entriesApplied = stats.EntriesApplied,
            feedbackApplied = stats.FeedbackApplied,
            usageApplied = stats.UsageApplied,
            rejected = stats.Rejected,
            lastAppliedId = health?.LastAppliedId,
            backend = health?.Backend,
            registryVersion = health?.RegistryVersion,
            encoder = engine.EncoderId,
            embeddingDimension = engine.EmbeddingDimension,
            arms,
        });
    }

    private static IResult ExportCheckpoint(HttpContext http, LearnedState state, IConfiguration configuration, TimeProvider time)
    {
        var bytes = state.Engine.SerializeState();
        var hash = LearnedState.Hash(bytes);
        var now = time.GetUtcNow();
        var location = "";
        if (configuration["Router:CheckpointExportDirectory"] is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"mixllm-{now:yyyyMMddTHHmmssfff}Z.json"));
            File.WriteAllBytes(path + ".tmp", bytes);
            File.Move(path + ".tmp", path, overwrite: true);
            location = " written to " + path;
            http.Response.Headers["x-router-checkpoint-path"] = path;
        }

        AdminLog.CheckpointExported(Logger(http), Who(http), now, bytes.Length, hash, location);
        http.Response.Headers["x-router-state-hash"] = hash;
        return Results.File(bytes, "application/json", "mixllm-checkpoint.json");
    }

    private static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext http, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, ReadOptions, cancellationToken);
            return value is null
                ? (null, Results.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The body must be a JSON object."] }))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : ex.Path.TrimStart('$', '.');
            var unknown = ex.Message.Contains("could not be mapped", StringComparison.Ordinal);
            var message = unknown ? "Unknown field." : "Invalid JSON or a value of the wrong type.";
            if (unknown && field.Length == 0)
            {
                // Unmapped members report the name in the message, not the path.
                var start = ex.Message.IndexOf('\'', StringComparison.Ordinal);
                var end = ex.Message.IndexOf('\'', start + 1);
                field = end > start ? ex.Message[(start + 1)..end] : field;
            }

            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }));
        }
    }

    private static IResult? ValidateArm(ArmOptions options)
    {
        var messages = new List<string>();
        GatewayOptionsValidator.ValidateArm(options, "arm", new HashSet<string>(StringComparer.OrdinalIgnoreCase), messages);
        if (messages.Count == 0)
        {
            return null;
        }

        // "arm:InputPricePerMillion must be >= 0" → { "inputPricePerMillion": ["InputPricePerMillion must be >= 0"] };
        // nested "arm:Simulation:MaxCompletionTokens …" → "simulation.maxCompletionTokens" (the JSON path, as for type errors).
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            var text = message.StartsWith("arm:", StringComparison.Ordinal) ? message[4..] : message;
            var key = string.Join('.', text.Split(' ', 2)[0].Split(':').Select(p => p.Length > 0 ? char.ToLowerInvariant(p[0]) + p[1..] : p));
            if (!errors.TryGetValue(key, out var list))
            {
                errors[key] = list = [];
            }

            list.Add(text);
        }

        return Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    // A registry arm with its transport settings: from the entry itself, else (an entry written before they were
    // stored) from this replica's catalog, which has them from configuration.
    private static CatalogArm Entry(ArmDefinition arm, IArmCatalog catalog) =>
        CatalogArm.FromDefinition(arm, catalog.TryGet(arm.Name, out var known) ? known : null);

    private static ArmOptions ToOptions(CatalogArm entry) => ToOptions(entry.Definition) with
    {
        ApiVersion = entry.ApiVersion,
        Simulation = entry.Simulation,
    };

    private static ArmOptions ToOptions(ArmDefinition arm) => new()
    {
        Name = arm.Name,
        Provider = arm.Provider.ToConfigName(),
        BaseUrl = arm.BaseUrl?.ToString(),
        UpstreamModel = arm.UpstreamModel,
        ApiKeyEnv = arm.ApiKeyEnv,
        InputPricePerMillion = arm.InputPricePerMillion,
        OutputPricePerMillion = arm.OutputPricePerMillion,
        MaxConcurrency = arm.MaxConcurrency,
        TimeoutSeconds = arm.Timeout.TotalSeconds,
        Enabled = arm.Enabled,
        Tags = [.. arm.Tags],
        TimeToFirstTokenSeconds = arm.TimeToFirstTokenSeconds,
        TokensPerSecond = arm.TokensPerSecond,
    };

    /// <summary>An arm as the admin API shows it: the configuration's field names, so a GET body can be POSTed back.</summary>
    private static object View(CatalogArm entry)
    {
        var o = ToOptions(entry);
        return new
        {
            o.Name, o.Provider, o.BaseUrl, o.UpstreamModel, o.ApiKeyEnv, o.InputPricePerMillion, o.OutputPricePerMillion,
            o.MaxConcurrency, o.TimeoutSeconds, o.Enabled, o.Tags, o.TimeToFirstTokenSeconds, o.TokensPerSecond,
            o.ApiVersion, o.Simulation,
        };
    }

    private static ArmDefinition? Find(ArmRegistrySnapshot snapshot, string name) =>
        snapshot.FindArm(name) ?? snapshot.Arms.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Optional optimistic concurrency: <c>If-Match: "&lt;registry version&gt;"</c>.</summary>
    private static long? ExpectedVersion(HttpContext http) =>
        long.TryParse(http.Request.Headers.IfMatch.ToString().Trim('"', ' ', 'W', '/'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static IResult NotFound(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown arm", detail: $"No arm is named '{name}'.");

    private static IResult Conflict(RegistryChangeResult result) => result.Status == RegistryChangeStatus.VersionConflict
        ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Version conflict",
            detail: $"The registry is at version {result.Version}, not the one in If-Match; reload and retry.")
        : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: result.Status.ToString());

    private static void Log(HttpContext http, TimeProvider time, string action, string target, RegistryChangeResult result) =>
        AdminLog.Changed(Logger(http), action, target, Who(http), time.GetUtcNow(), result.Status.ToString(), result.Version);

    private static string Who(HttpContext http) => "admin-key@" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static ILogger Logger(HttpContext http) =>
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Router.Gateway.Admin");
}
