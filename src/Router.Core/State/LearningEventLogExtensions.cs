using System.Runtime.CompilerServices;

namespace Router.Core.State;

/// <summary>Conveniences over <see cref="ILearningEventLog"/>.</summary>
public static class LearningEventLogExtensions
{
    /// <summary>
    /// Every entry after <paramref name="after"/> in order, then new ones as they arrive, until cancelled.
    /// Waits at most <paramref name="pollInterval"/> between reads when idle (default 1 s); transient read errors
    /// propagate (see <see cref="LearningStateFollower"/> for a loop that retries, snapshots and reports lag).
    /// </summary>
    public static async IAsyncEnumerable<LogEntry> FollowAsync(
        this ILearningEventLog log,
        LogId after,
        TimeSpan? pollInterval = null,
        int batchSize = 256,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var wait = pollInterval ?? TimeSpan.FromSeconds(1);
        var cursor = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await log.ReadAfterAsync(cursor, batchSize, cancellationToken).ConfigureAwait(false);
            foreach (var entry in batch)
            {
                cursor = entry.Id;
                yield return entry;
            }

            if (batch.Count < batchSize)
            {
                await log.WaitForAppendAsync(cursor, wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
