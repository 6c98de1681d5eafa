using Microsoft.Extensions.DependencyInjection;
using Router.Core.State;

namespace EndToEnd.Tests.Replicas;

/// <summary>One redis-server shared by the tests of a class that never stop it; tests isolate themselves by key prefix.</summary>
public sealed class ReplicaRedis : IDisposable
{
    private readonly Lazy<RedisServer> _server = new(RedisServer.StartNew);

    /// <summary>The server (started on first use).</summary>
    public RedisServer Server => _server.Value;

    /// <summary>A fresh key prefix.</summary>
    public static string NewPrefix() => "e2e" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Every entry of the replica's learning log, in order.</summary>
    public static async Task<List<LogEntry>> ReadLogAsync(ReplicaHost replica)
    {
        var log = replica.Services.GetRequiredService<ILearningEventLog>();
        var all = new List<LogEntry>();
        var after = LogId.Zero;
        while (true)
        {
            var batch = await log.ReadAfterAsync(after, 1000, CancellationToken.None);
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
            after = batch[^1].Id;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}
