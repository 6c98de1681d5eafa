using Microsoft.Extensions.Primitives;
using Router.Gateway.Caching;

namespace Gateway.Tests.Caching;

public sealed class ResponseCachePartsTests
{
    [Theory]
    [InlineData("no-cache", true, false)]
    [InlineData("no-store", false, true)]
    [InlineData("No-Cache, NO-STORE", true, true)]
    [InlineData("max-age=0, no-cache=\"set-cookie\"", true, false)]
    [InlineData("max-age=60", false, false)]
    [InlineData("no-cacheX", false, false)]
    [InlineData("", false, false)]
    public void CacheControl_Directives_AreReadCaseInsensitively(string header, bool noCache, bool noStore)
    {
        Assert.Equal((noCache, noStore), ResponseCache.CacheControl(new StringValues(header)));
    }

    [Fact]
    public void CacheControl_SeveralHeaderLines_AreAllRead()
    {
        Assert.Equal((true, true), ResponseCache.CacheControl(new StringValues(["no-cache", "no-store"])));
    }

    [Fact]
    public void CachedResponse_ToBytesFromBytes_RoundTrips()
    {
        var entry = new CachedResponse
        {
            Arm = "cheap",
            Policy = "mixllm",
            ContentType = "application/json; charset=utf-8",
            Body = "{\"id\":\"x\"}"u8.ToArray(),
            RankedArms = ["cheap", "premium"],
            Candidates = ["premium", "cheap"],
            Propensity = 0.8,
            Embedding = [0.25f, -0.5f],
            StoredAt = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        };

        var back = CachedResponse.FromBytes(entry.ToBytes());

        Assert.NotNull(back);
        Assert.Equal(entry.Arm, back.Arm);
        Assert.Equal(entry.Policy, back.Policy);
        Assert.Equal(entry.ContentType, back.ContentType);
        Assert.Equal(entry.Body, back.Body);
        Assert.Equal(entry.RankedArms, back.RankedArms);
        Assert.Equal(entry.Candidates, back.Candidates);
        Assert.Equal(entry.Propensity, back.Propensity);
        Assert.Equal(entry.Embedding, back.Embedding);
        Assert.Equal(entry.StoredAt, back.StoredAt);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 0x7b })]
    [InlineData(new byte[] { 1, 0, 0, 0, 9, 0x7b })]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0x7b })]
    public void CachedResponse_FromBytes_OtherOrDamagedBytes_IsNull(byte[] bytes)
    {
        Assert.Null(CachedResponse.FromBytes(bytes));
    }

    [Fact]
    public void CachedResponse_DecisionFor_CopiesTheOriginalDecisionUnderTheNewRequestId()
    {
        var entry = new CachedResponse
        {
            Arm = "cheap", Policy = "mixllm", ContentType = "application/json", Body = [1],
            RankedArms = ["cheap", "premium"], Candidates = ["premium", "cheap"], Propensity = 0.7, Embedding = [1f, 0f],
        };

        var decision = entry.DecisionFor("req_new");

        Assert.Equal("req_new", decision.RequestId);
        Assert.Equal("cheap", decision.ChosenArm);
        Assert.Equal(["cheap", "premium"], decision.RankedArms);
        Assert.Equal("mixllm", decision.Policy);
        Assert.Equal(0.7, decision.Propensity);
        Assert.Equal([1f, 0f], decision.Embedding.ToArray());
        Assert.Equal(["premium", "cheap"], decision.Scores.Select(s => s.Arm));
    }

    [Fact]
    public void Capture_WithinLimit_KeepsEveryByteAcrossGrowth()
    {
        using var capture = new ResponseCapture(20_000);
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();

        capture.Append(data.AsSpan(0, 3000));
        capture.Append(data.AsSpan(3000, 7000));

        Assert.False(capture.Overflowed);
        Assert.Equal(data, capture.Written.ToArray());
    }

    [Fact]
    public void Capture_OverLimit_OverflowsAndKeepsNothing_UntilReset()
    {
        using var capture = new ResponseCapture(10);
        capture.Append(new byte[6]);
        capture.Append(new byte[5]);

        Assert.True(capture.Overflowed);
        Assert.Equal(0, capture.Written.Length);
        capture.Append(new byte[1]);
        Assert.Equal(0, capture.Written.Length);

        capture.Reset();
        capture.Append(new byte[10]);
        Assert.False(capture.Overflowed);
        Assert.Equal(10, capture.Written.Length);
    }
}
