using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Router.Core.Routing;
using Router.Gateway.Configuration;
using Router.Gateway.Decisions;

namespace Gateway.Tests.Decisions;

public sealed class InMemoryDecisionStoreTests
{
    [Fact]
    public async Task FindAsync_WithinAndAfterTtl_ReturnsThenForgets()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new InMemoryDecisionStore(Options.Create(new GatewayOptions { DecisionRecordTtl = TimeSpan.FromMinutes(10) }), time);
        await store.SaveAsync(Record("r1", time.GetUtcNow()), CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("a", (await store.FindAsync("r1", CancellationToken.None))!.Decision.ChosenArm);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await store.FindAsync("r1", CancellationToken.None));
        Assert.Null(await store.FindAsync("never", CancellationToken.None));
    }

    [Fact]
    public async Task SaveAsync_AfterSweepInterval_DropsExpiredRecords()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryDecisionStore(Options.Create(new GatewayOptions { DecisionRecordTtl = TimeSpan.FromSeconds(30) }), time);
        for (var i = 0; i < 100; i++)
        {
            await store.SaveAsync(Record($"old{i}", time.GetUtcNow()), CancellationToken.None);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        await store.SaveAsync(Record("new", time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(1, store.Count);
    }

    private static DecisionRecord Record(string id, DateTimeOffset at) =>
        new(id, new RoutingDecision { RequestId = id, RankedArms = ["a", "b"], Policy = "test" }, at);
}
