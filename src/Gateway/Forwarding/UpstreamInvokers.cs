using System.Collections.Concurrent;
using System.Net;
using Router.Core.Arms;
using Microsoft.Extensions.Options;
using Router.Gateway.Arms;
using Router.Gateway.Protocols.Anthropic;
using Router.Gateway.Resilience;
using Router.Gateway.Simulation;
using Router.Gateway.Usage;

namespace Router.Gateway.Forwarding;

/// <summary>
/// Default <see cref="IUpstreamInvokers"/>: a <see cref="SocketsHttpHandler"/> per real arm, configured as YARP
/// recommends for a proxy (no proxy, no redirects, no decompression, no cookies), and a
/// <see cref="SimulatedUpstreamHandler"/> per simulated arm. A replaced or removed arm's invoker is disposed after a
/// grace period so that requests still streaming through it finish.
/// </summary>
public sealed class UpstreamInvokers : IUpstreamInvokers, IDisposable
{
    /// <summary>How long a retired invoker lives on for requests in flight.</summary>
    public static readonly TimeSpan RetireGrace = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> _invokers = new(StringComparer.OrdinalIgnoreCase);
    private readonly IArmCatalog _catalog;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private readonly int _anthropicMaxTokens;

    /// <summary>Creates the pool and follows catalog changes.</summary>
    public UpstreamInvokers(IArmCatalog catalog, ITokenCounter tokens, TimeProvider time, IOptions<ResilienceOptions>? resilience = null,
        IOptions<AnthropicOptions>? anthropic = null)
    {
        _anthropicMaxTokens = anthropic?.Value.DefaultMaxTokens ?? new AnthropicOptions().DefaultMaxTokens;
        _connectTimeout = resilience?.Value.ConnectTimeout ?? TimeSpan.FromSeconds(10);
        _catalog = catalog;
        _tokens = tokens;
        _time = time;
        _catalog.Changed += OnCatalogChanged;
    }

    /// <inheritdoc />
    public HttpMessageInvoker Get(CatalogArm arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        while (true)
        {
            if (_invokers.TryGetValue(arm.Name, out var entry))
            {
                if (entry.Arm == arm)
                {
                    return entry.Invoker;
                }

                if (_invokers.TryRemove(new KeyValuePair<string, Entry>(arm.Name, entry)))
                {
                    Retire(entry.Invoker);
                }

                continue;
            }

            var created = new Entry(arm, Create(arm));
            if (_invokers.TryAdd(arm.Name, created))
            {
                return created.Invoker;
            }

            created.Invoker.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _catalog.Changed -= OnCatalogChanged;
        foreach (var entry in _invokers.Values)
        {
            entry.Invoker.Dispose();
        }

        _invokers.Clear();
    }

    private HttpMessageInvoker Create(CatalogArm arm)
    {
        if (arm.Definition.Provider == ProviderKind.Simulated)
        {
            return new HttpMessageInvoker(new SimulatedUpstreamHandler(arm, _tokens, _time), disposeHandler: true);
        }

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = _connectTimeout < arm.Definition.Timeout ? _connectTimeout : arm.Definition.Timeout,

            // Re-resolve DNS now and then: cloud LLM endpoints move.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return arm.Definition.Provider == ProviderKind.Anthropic
            ? new HttpMessageInvoker(new AnthropicUpstreamHandler(handler, _anthropicMaxTokens, _time), disposeHandler: true)
            : new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private void OnCatalogChanged(object? sender, ArmCatalogChangedEventArgs e)
    {
        if (e.Kind != ArmCatalogChangeKind.Added && _invokers.TryRemove(e.Name, out var entry))
        {
            Retire(entry.Invoker);
        }
    }

    private void Retire(HttpMessageInvoker invoker) =>
        _ = Task.Delay(RetireGrace, _time).ContinueWith(_ => invoker.Dispose(), TaskScheduler.Default);

    private sealed record Entry(CatalogArm Arm, HttpMessageInvoker Invoker);
}
