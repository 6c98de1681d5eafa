using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Core.Tests.State;

/// <summary>Builders for the state-layer tests.</summary>
internal static class TestState
{
    public static IOptions<LearningStateOptions> Options(Action<LearningStateOptions>? configure = null)
    {
        var options = new LearningStateOptions
        {
            FollowPollInterval = TimeSpan.FromMilliseconds(200),
            RegistryRefreshInterval = TimeSpan.FromMilliseconds(500),
            BufferFlushInterval = TimeSpan.FromMilliseconds(200),
            BufferDirectory = Path.Combine(Path.GetTempPath(), "router-state-test-" + Guid.NewGuid().ToString("N")),
        };
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    public static RedisLearningEventLog RedisLog(IConnectionMultiplexer redis, string prefix, IOptions<LearningStateOptions>? options = null) =>
        new(redis, SharedRedis.Prefix(prefix), options ?? Options(), TimeProvider.System);

    public static InProcessLearningEventLog InProcessLog(IOptions<LearningStateOptions>? options = null, TimeProvider? time = null) =>
        new(options ?? Options(), time ?? TimeProvider.System);

    public static LearningStateFollower Follower(ILearningEventLog log, ISnapshotStore snapshots, ILearningStateFold fold, IOptions<LearningStateOptions>? options = null) =>
        new(log, snapshots, fold, options ?? Options(), TimeProvider.System, NullLogger<LearningStateFollower>.Instance);

    public static byte[] Payload(int i) => Encoding.UTF8.GetBytes($"{{\"n\":{i}}}");

    public static async Task<List<LogEntry>> ReadAllAsync(ILearningEventLog log)
    {
        var all = new List<LogEntry>();
        var cursor = LogId.Zero;
        while (true)
        {
            var batch = await log.ReadAfterAsync(cursor, 100, CancellationToken.None);
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
            cursor = batch[^1].Id;
        }
    }
}
