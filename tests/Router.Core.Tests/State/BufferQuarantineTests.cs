using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Router.Core.State;

namespace Router.Core.Tests.State;

/// <summary>A corrupted line in the degraded-mode buffer is kept beside it, not deleted with it (no Redis needed).</summary>
public sealed class BufferQuarantineTests
{
    private const string Corrupt = "{\"kind\":\"feedback\",\"idempotencyKey\":\"req-b\",\"payload\":\"###not base64###\"}";

    [Fact]
    public async Task TryFlushAsync_CorruptedMiddleLine_FlushesTheOthersAndQuarantinesItsBytes()
    {
        var options = TestState.Options();
        var directory = options.Value.EffectiveBufferDirectory;
        Directory.CreateDirectory(directory);
        var bufferPath = Path.Combine(directory, BufferedLearningEventLog.BufferFileName);
        await File.WriteAllTextAsync(bufferPath, Line("req-a", 1) + "\n" + Corrupt + "\n" + "\n" + Line("req-c", 3) + "\n");
        var logger = new FakeLogger<BufferedLearningEventLog>();
        using var log = new BufferedLearningEventLog(TestState.InProcessLog(options), options, TimeProvider.System, logger);

        Assert.True(await log.TryFlushAsync(CancellationToken.None));

        Assert.Equal(["req-a", "req-c"], (await TestState.ReadAllAsync(log)).Select(e => e.IdempotencyKey));
        Assert.False(File.Exists(bufferPath));
        Assert.Equal(Path.Combine(directory, BufferedLearningEventLog.QuarantineFileName), log.QuarantinePath);
        Assert.Equal([Corrupt], await File.ReadAllLinesAsync(log.QuarantinePath));
        var error = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Contains("1 unreadable", error.Message, StringComparison.Ordinal);
        Assert.False(log.IsDegraded);
    }

    [Fact]
    public async Task TryFlushAsync_AllLinesReadable_WritesNoQuarantine()
    {
        var options = TestState.Options();
        var directory = options.Value.EffectiveBufferDirectory;
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, BufferedLearningEventLog.BufferFileName), Line("req-a", 1) + "\n");
        using var log = new BufferedLearningEventLog(TestState.InProcessLog(options), options, TimeProvider.System, new FakeLogger<BufferedLearningEventLog>());

        Assert.True(await log.TryFlushAsync(CancellationToken.None));

        Assert.Equal(["req-a"], (await TestState.ReadAllAsync(log)).Select(e => e.IdempotencyKey));
        Assert.False(File.Exists(log.QuarantinePath));
    }

    private static string Line(string key, int n) =>
        $"{{\"kind\":\"feedback\",\"idempotencyKey\":\"{key}\",\"payload\":\"{Convert.ToBase64String(TestState.Payload(n))}\"}}";
}
