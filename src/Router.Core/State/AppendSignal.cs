namespace Router.Core.State;

/// <summary>
/// A broadcast wake-up: <see cref="Pulse"/> completes every waiter taken before it. Waiters take
/// <see cref="Current"/> before they check for work, so a pulse between the check and the wait is not missed.
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _next).Task;

    public void Pulse()
    {
        var previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    public static async Task WaitAsync(Task pulse, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            await pulse.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A timeout is the polling fallback, not an error.
        }
    }
}
