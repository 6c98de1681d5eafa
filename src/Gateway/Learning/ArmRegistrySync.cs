using System.Text.Json;
using Microsoft.Extensions.Options;
using Router.Core.Arms;
using Router.Core.State;
using Router.Gateway.Arms;
using Router.Gateway.Configuration;

namespace Router.Gateway.Learning;

/// <summary>
/// Keeps this replica's <see cref="IArmCatalog"/> equal to the shared arm registry: seeds the registry from
/// configuration at start (AlreadyExists is fine: another replica did), then applies every registry version
/// (pub/sub → <see cref="IArmRegistryStore.Changed"/>) as catalog Add/Update/Remove. An arm joining is announced to
/// the engine with an <c>ArmAdded</c> event in the log BEFORE it becomes routable here, so the engine's cold-start
/// state precedes any feedback for it; an arm leaving gets <c>ArmRemoved</c>.
/// </summary>
public sealed partial class ArmRegistrySync : IHostedService, IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly IArmRegistryStore _registry;
    private readonly IArmCatalog _catalog;
    private readonly LearningEventWriter _writer;
    private readonly GatewayOptions _options;
    private readonly ILogger<ArmRegistrySync> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, CatalogArm> _configured = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private long _syncedVersion = -1;

    /// <summary>Created by DI.</summary>
    public ArmRegistrySync(IArmRegistryStore registry, IArmCatalog catalog, LearningEventWriter writer, IOptions<GatewayOptions> options, ILogger<ArmRegistrySync> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _catalog = catalog;
        _writer = writer;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The registry version the catalog reflects (-1 before the first sync).</summary>
    public long SyncedVersion => Interlocked.Read(ref _syncedVersion);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in _catalog.Entries)
        {
            _configured[entry.Name] = entry; // transport extras (simulation, Azure api-version) for registry entries without them
        }

        try
        {
            var seeded = await _registry.SeedAsync(_catalog.Arms, _options.DefaultPolicy, cancellationToken);
            LogSeeded(_logger, seeded.Status.ToString(), seeded.Version);
        }
        catch (StateStoreUnavailableException ex)
        {
            // The registry's refresh loop retries the seed; meanwhile the configured arms serve.
            LogSeedDeferred(_logger, ex.Message);
        }

        _registry.Changed += OnChanged;
        await SyncAsync(_registry.Current, announceAll: true, cancellationToken);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.Changed -= OnChanged;
        await _stopping.CancelAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
    }

    private void OnChanged(object? sender, ArmRegistrySnapshot snapshot) =>
        _ = SyncSafeAsync(snapshot);

    private async Task SyncSafeAsync(ArmRegistrySnapshot snapshot)
    {
        try
        {
            await SyncAsync(snapshot, announceAll: false, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            LogSyncFailed(_logger, snapshot.Version, ex);
        }
    }

    /// <summary>Applies <paramref name="snapshot"/> to the catalog (newer versions only; serialised).</summary>
    private async Task SyncAsync(ArmRegistrySnapshot snapshot, bool announceAll, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (snapshot.Version == 0)
            {
                // Never seeded (store down at start): the configured arms serve; make sure the engine knows them.
                if (announceAll)
                {
                    foreach (var arm in _catalog.Arms)
                    {
                        await AnnounceAsync(arm, 0, cancellationToken);
                    }
                }

                return;
            }

            if (snapshot.Version <= Interlocked.Read(ref _syncedVersion))
            {
                return;
            }

            var wanted = snapshot.Arms.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var entry in _catalog.Entries)
            {
                if (!wanted.ContainsKey(entry.Name) && _catalog.Remove(entry.Name))
                {
                    await AppendQuietlyAsync(_writer.ArmRemovedAsync(entry.Name, snapshot.Version, cancellationToken));
                    LogArmRemoved(_logger, entry.Name, snapshot.Version);
                }
            }

            foreach (var arm in snapshot.Arms)
            {
                if (_catalog.TryGet(arm.Name, out var existing))
                {
                    if (announceAll)
                    {
                        await AnnounceAsync(arm, snapshot.Version, cancellationToken);
                    }

                    if (!SameDefinition(existing.Definition, arm))
                    {
                        _catalog.Update(ToCatalogArm(arm));
                        LogArmUpdated(_logger, arm.Name, snapshot.Version);
                    }

                    continue;
                }

                await AnnounceAsync(arm, snapshot.Version, cancellationToken);
                _catalog.Add(ToCatalogArm(arm));
                LogArmAdded(_logger, arm.Name, snapshot.Version);
            }

            Interlocked.Exchange(ref _syncedVersion, snapshot.Version);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task AnnounceAsync(ArmDefinition arm, long version, CancellationToken cancellationToken) =>
        await AppendQuietlyAsync(_writer.ArmAddedAsync(arm, version, cancellationToken));

    private async Task AppendQuietlyAsync(ValueTask<AppendResult> append)
    {
        try
        {
            var result = await append;
            if (!result.IsAccepted)
            {
                LogAnnounceRejected(_logger);
            }
        }
        catch (StateStoreUnavailableException ex)
        {
            LogSeedDeferred(_logger, ex.Message);
        }
    }

    // Transport settings (simulation, Azure api-version) ride in the registry entry; an entry written before they did
    // keeps those of the configured arm of that name.
    private CatalogArm ToCatalogArm(ArmDefinition arm)
    {
        if (arm.Transport is not null && !ArmTransport.TryRead(arm.Transport, out _))
        {
            LogBadTransport(_logger, arm.Name);
        }

        return CatalogArm.FromDefinition(arm, _configured.GetValueOrDefault(arm.Name));
    }

    private static bool SameDefinition(ArmDefinition a, ArmDefinition b) =>
        JsonSerializer.Serialize(a, JsonOptions) == JsonSerializer.Serialize(b, JsonOptions);

    [LoggerMessage(41, LogLevel.Information, "Arm registry seed: {Status} (version {Version})")]
    private static partial void LogSeeded(ILogger logger, string status, long version);

    [LoggerMessage(42, LogLevel.Warning, "Arm registry unreachable ({Reason}); serving the configured arms until it answers")]
    private static partial void LogSeedDeferred(ILogger logger, string reason);

    [LoggerMessage(43, LogLevel.Information, "Arm {Arm} added from registry version {Version}")]
    private static partial void LogArmAdded(ILogger logger, string arm, long version);

    [LoggerMessage(44, LogLevel.Information, "Arm {Arm} updated from registry version {Version}")]
    private static partial void LogArmUpdated(ILogger logger, string arm, long version);

    [LoggerMessage(45, LogLevel.Information, "Arm {Arm} removed at registry version {Version}")]
    private static partial void LogArmRemoved(ILogger logger, string arm, long version);

    [LoggerMessage(46, LogLevel.Error, "Applying arm registry version {Version} to the catalog failed")]
    private static partial void LogSyncFailed(ILogger logger, long version, Exception exception);

    [LoggerMessage(47, LogLevel.Warning, "An arm announcement was rejected by the learning log (buffer full)")]
    private static partial void LogAnnounceRejected(ILogger logger);

    [LoggerMessage(48, LogLevel.Warning, "Arm {Arm} has unreadable transport settings in the registry; using the configured ones or the defaults")]
    private static partial void LogBadTransport(ILogger logger, string arm);
}
