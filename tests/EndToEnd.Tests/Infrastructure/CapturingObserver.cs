using System.Collections.Concurrent;
using Router.Gateway.Usage;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>An <see cref="IRequestObserver"/> that keeps every completion, for assertions.</summary>
public sealed class CapturingObserver : IRequestObserver
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RequestCompletion>> _byId = new();

    /// <summary>All completions in arrival order.</summary>
    public ConcurrentQueue<RequestCompletion> Completions { get; } = new();

    /// <inheritdoc />
    public ValueTask OnRequestCompletedAsync(RequestCompletion completion, CancellationToken cancellationToken)
    {
        Completions.Enqueue(completion);
        Slot(completion.RequestId).TrySetResult(completion);
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for the completion of <paramref name="requestId"/> (observers run just after the response ends).</summary>
    public Task<RequestCompletion> WaitForAsync(string requestId) => Slot(requestId).Task.WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Waits until <paramref name="count"/> completions have arrived and returns them.</summary>
    public async Task<RequestCompletion[]> WaitForCountAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Completions.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return [.. Completions];
    }

    private TaskCompletionSource<RequestCompletion> Slot(string id) =>
        _byId.GetOrAdd(id, _ => new TaskCompletionSource<RequestCompletion>(TaskCreationOptions.RunContinuationsAsynchronously));
}
