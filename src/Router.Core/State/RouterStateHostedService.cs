using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Router.Core.State;

/// <summary>
/// Starts the state layer with the host: loads the arm registry and subscribes to its changes, runs the
/// degraded-mode flush loop (Redis) and, when an <see cref="ILearningStateFold"/> is registered, the
/// <see cref="LearningStateFollower"/>. Start-up does not wait for the replay (see <see cref="RouterStateHealth"/>).
/// </summary>
public sealed class RouterStateHostedService : IHostedService, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    /// <summary>Created by DI.</summary>
    public RouterStateHostedService(IServiceProvider services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<System.Diagnostics.Metrics.IMeterFactory>() is not null)
        {
            _ = _services.GetRequiredService<RouterStateMetrics>(); // instruments exist from start-up on (hosts register IMeterFactory)
        }

        await _services.GetRequiredService<IArmRegistryStore>().StartAsync(cancellationToken).ConfigureAwait(false);
        if (_services.GetRequiredService<ILearningEventLog>() is BufferedLearningEventLog buffered)
        {
            _loops.Add(Task.Run(() => buffered.RunAsync(_stopping.Token), CancellationToken.None));
        }

        if (_services.GetService<ILearningStateFold>() is not null)
        {
            var follower = _services.GetRequiredService<LearningStateFollower>();
            _loops.Add(Task.Run(() => follower.RunAsync(_stopping.Token), CancellationToken.None));
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
