using System.Text;
using Router.Gateway.Caching;
using Router.Gateway.Forwarding;
using Router.Gateway.Usage;

namespace Gateway.Tests.Forwarding;

public sealed class MeteredResponseStreamTests
{
    private const string Content1 = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";
    private const string Content2 = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n";
    private const string UsageOnly = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(33)]
    [InlineData(10_000)]
    public async Task WriteAsync_ClientDidNotAskForUsage_HidesUsageChunkButStillMetersIt(int pieceSize)
    {
        var inner = new MemoryStream();
        var parser = new ResponseUsageParser("text/event-stream");
        var stream = new MeteredResponseStream(inner, parser, TimeProvider.System, dropUsageOnlyEvents: true);
        var bytes = Encoding.UTF8.GetBytes(Content1 + Content2 + UsageOnly + Done);

        for (var i = 0; i < bytes.Length; i += pieceSize)
        {
            await stream.WriteAsync(bytes.AsMemory(i, Math.Min(pieceSize, bytes.Length - i)));
        }

        await stream.CompleteAsync(CancellationToken.None);

        Assert.Equal(Content1 + Content2 + Done, Encoding.UTF8.GetString(inner.ToArray()));
        var usage = parser.Complete();
        Assert.Equal(5, usage.PromptTokens);
        Assert.Equal(1, usage.CompletionTokens);
        Assert.True(stream.FirstWriteTimestamp > 0);
    }

    [Fact]
    public async Task WriteAsync_CompleteEvents_ForwardedBeforeTheNextArrives()
    {
        var inner = new MemoryStream();
        var stream = new MeteredResponseStream(inner, new ResponseUsageParser("text/event-stream"), TimeProvider.System, dropUsageOnlyEvents: true);

        await stream.WriteAsync(Encoding.UTF8.GetBytes(Content1 + "data: {\"cho"));

        Assert.Equal(Content1, Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WriteAsync_WithCapture_CapturesExactlyWhatTheClientGot(bool dropUsageOnlyEvents)
    {
        var inner = new MemoryStream();
        using var capture = new ResponseCapture(1024);
        var stream = new MeteredResponseStream(inner, new ResponseUsageParser("text/event-stream"), TimeProvider.System, dropUsageOnlyEvents, capture);

        foreach (var piece in new[] { Content1, UsageOnly, Done })
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(piece));
        }

        await stream.CompleteAsync(CancellationToken.None);

        Assert.Equal(inner.ToArray(), capture.Written.ToArray());
        Assert.False(capture.Overflowed);
    }

    [Fact]
    public async Task WriteAsync_PassThrough_WritesEverythingAsIs()
    {
        var inner = new MemoryStream();
        var stream = new MeteredResponseStream(inner, new ResponseUsageParser("text/event-stream"), TimeProvider.System, dropUsageOnlyEvents: false);

        await stream.WriteAsync(Encoding.UTF8.GetBytes(Content1 + UsageOnly));

        Assert.Equal(Content1 + UsageOnly, Encoding.UTF8.GetString(inner.ToArray()));
    }
}
